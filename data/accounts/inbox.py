"""One key per inbox, for the alert mail's daily cap and consent: the spellings of an address that reach
the same mailbox count as one. Pure text rule, no DNS and no I/O.

The rule (issue 33):
- surrounding spaces go; the whole address is case-folded (every provider we send to treats the local
  part without case, and the domain has none);
- a quoted local part loses its quotes and escapes (`"ana"@coop.org` is `ana@coop.org`);
- the domain loses a trailing dot (`coop.org.` is the DNS root-anchored `coop.org`);
- a sub-address tag goes: everything from the first `+` of the local part (`ana+x@` is `ana@`). Gmail,
  Microsoft 365/Outlook, iCloud, Proton, Fastmail, Zoho and Postfix/Exim's default recipient delimiter
  deliver `+tag` to the untagged inbox; a server without sub-addressing refuses such an address, it does
  not give it a mailbox of its own, so for a cap and a consent treating them as one is the safe side;
- Gmail also ignores dots in the local part, and googlemail.com is gmail.com.
"""

from __future__ import annotations

#: Providers that ignore dots in the local part (and their alias domain).
DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def inbox_key(address: str) -> str:
    """The inbox `address` reaches, as one string (case-folded, unquoted, untagged, no trailing dot)."""
    text = address.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text.casefold()
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        quoted, local, escaped = local[1:-1], "", False
        for char in quoted:  # RFC 5322 quoted-pair: a backslash takes the next character as it is
            if char == "\\" and not escaped:
                escaped = True
                continue
            local, escaped = local + char, False
    domain = domain.strip().casefold().rstrip(".")
    local = local.casefold().split("+", 1)[0]
    if domain in DOTS_IGNORED:
        domain, local = DOTS_IGNORED[domain], local.replace(".", "")
    return f"{local}@{domain}"
