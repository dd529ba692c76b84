"""The accounts room: who may read what (access: LedgerScope), users and sign-in (users), price alerts and
their consent (alerts, inbox) and sending mail (mail)."""
