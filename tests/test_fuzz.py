"""Fuzzing the importers (hypothesis): arbitrary bytes, CSV-shaped noise and mutated real files.

The only acceptable outcomes are a parse (rows kept or rejected line by line) or the importer's own
clear error (PriceFileError / LedgerFileError); and when the import fails, the store is unchanged.
Odd values (infinities, extreme exponents, ancient dates, markup) must be rejected line by line or stored
only as sane values. FUZZ_EXAMPLES sets the examples per property (200 in the suite; `FUZZ_EXAMPLES=5000 pytest
tests/test_fuzz.py -s` for a longer run, which prints how many inputs were tried).
"""

import io
import os
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.ledger import OPERATOR, LedgerFileError, load_sales, parse_ledger
from data.market.importers import PriceFileError, parse_price_file
from data.market.market_data import import_prices
from data.store import MarketStore
from data.store.backup import dump_tables
from services.sales import import_ledger
from tests.conftest import SAMPLES, SHARED_MARKET

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=os.environ.get("CI", "").lower() == "true",  # CI: the same inputs on every run
)
TRIED: Counter = Counter()  # inputs tried per outcome, printed at the end of the module
TODAY = pd.Timestamp("2024-06-01")


def real_files() -> list[tuple[str, bytes]]:
    """The ledger samples, a generated .xlsx, and the head of every real market file in ../shared."""
    files = [(path.name, path.read_bytes()) for path in sorted(SAMPLES.glob("*.csv"))]
    buffer = io.BytesIO()
    pd.read_csv(SAMPLES / "ledger_semicolon_decimal_comma.csv", sep=";").to_excel(buffer, index=False)
    files.append(("ventas.xlsx", buffer.getvalue()))
    if SHARED_MARKET.is_dir():
        for path in sorted(SHARED_MARKET.glob("*.csv")):
            head = b"".join(path.read_bytes().splitlines(keepends=True)[:60])
            files.append((path.name, head))
    return files


REAL_FILES = real_files()
FILENAMES = st.sampled_from(["ventas.csv", "gold_usd.csv", "datos.txt", "libro.xlsx", "usdcop.csv"])


@st.composite
def mutated_real_file(draw) -> tuple[str, bytes]:
    """A real file with a few byte-level or line-level mutations."""
    name, content = draw(st.sampled_from(REAL_FILES))
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(
            st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate_line", "separator"])
        )
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if operation == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif operation == "delete":
            del data[at : at + draw(st.integers(1, 50))]
        elif operation == "truncate":
            del data[at:]
        elif operation == "duplicate_line":
            lines = bytes(data).splitlines(keepends=True)
            if lines:
                line = draw(st.sampled_from(lines))
                data[at:at] = line
        else:
            data = bytearray(bytes(data).replace(draw(st.sampled_from([b",", b";", b"\t"])),
                                                  draw(st.sampled_from([b",", b";", b"\t", b""]))))  # fmt: skip
    return name, bytes(data)


#: Odd values found by trying the importers as an attacker would (issue 14): infinities, extreme exponents,
#: ancient and far-future dates, ambiguous numbers, and markup meant for the pages that show the text.
ODD_NUMBERS = [
    "inf",
    "-inf",
    "Infinity",
    "∞",
    "1e999",
    "-1e999",
    "1e308",
    "1e-400",
    "9" * 400,
    "1e+308",
    "0x10",
    "1_000",
    "10.5",
    "1.2.3",
    "1,2,3",
    "NaN",
    "-0",
    "0",
    "+1e5",
    "$ 1e308",
]
ODD_DATES = [
    "0202-06-01",
    "0001-01-01",
    "1899-12-31",
    "9999-12-31",
    "2999-01-01",
    "01/01/0001",
    "31/12/9999",
    "2024-02-30",
    "2024-05-10T00:00:00",
    "10/05/24",
]
MARKUP = [
    "![px](http://host/pixel.png)",
    "[Verificar](https://evil.example)",
    "<a href='https://evil'>x</a>",
    "<script>alert(1)</script>",
    "**negrita**",
    "`code`",
    "<img src=x onerror=alert(1)>",
    "TOTAL",
    "Subtotal mayo",
]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2024-05-10", "10/05/2024", "31/02/2024", "0,9", "875", "1.234.567,89", "-5", "1e308",
                     "nan", "inf", "COP", "USD", "fairmined", "castellano", "=1+1", "", ".", "\x00"]),
    st.sampled_from(ODD_NUMBERS + ODD_DATES + MARKUP),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)  # fmt: skip


@st.composite
def csv_shaped(draw) -> bytes:
    """Text with a recognisable header and noisy rows: reaches the row-level validation, not just decoding."""
    separator = draw(st.sampled_from([",", ";", "\t"]))
    header = draw(st.permutations(["Lote", "Fecha", "Comprador", "Peso", "Ley", "Moneda", "Valor", "Certificación",
                                   "Date", "Close", "GOLD_USD", "Unidad"]))  # fmt: skip
    header = header[: draw(st.integers(1, len(header)))]
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 2), max_size=20))
    lines = [separator.join(header)] + [
        separator.join(cell.replace("\n", " ") for cell in row) for row in rows
    ]
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return "\n".join(lines).encode(encoding, errors="replace")


def parse_both(content: bytes, filename: str) -> None:
    """Both importers on one input: only their own errors may escape."""
    try:
        parse_price_file(content, filename)
        TRIED["price file parsed"] += 1
    except PriceFileError:
        TRIED["price file refused clearly"] += 1
    try:
        parse_ledger(content, filename, cooperative="Coop", today=TODAY)
        TRIED["ledger parsed"] += 1
    except LedgerFileError:
        TRIED["ledger refused clearly"] += 1


@FUZZ
@given(content=st.binary(max_size=3000), filename=FILENAMES)
def test_arbitrary_bytes(content, filename):
    parse_both(content, filename)


@FUZZ
@given(content=csv_shaped(), filename=FILENAMES)
def test_csv_shaped_noise(content, filename):
    parse_both(content, filename)


@FUZZ
@given(case=mutated_real_file())
def test_mutated_real_files(case):
    name, content = case
    parse_both(content, name)


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory) -> MarketStore:
    return MarketStore.from_url(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.sqlite'}")


@settings(FUZZ, max_examples=max(EXAMPLES // 4, 20))
@given(case=st.one_of(mutated_real_file(), st.tuples(FILENAMES, csv_shaped())))
def test_a_failed_import_writes_nothing(fuzz_store, case):
    """Through the store: a clean import, or a clear error and the store exactly as before."""
    name, content = case
    for importer, error in ((import_prices, PriceFileError), (import_ledger_as_operator, LedgerFileError)):
        before = dump_tables(fuzz_store)
        try:
            importer(fuzz_store, content, name)
            TRIED["stored"] += 1
        except error:
            assert dump_tables(fuzz_store) == before
            TRIED["store unchanged after a refusal"] += 1


def import_ledger_as_operator(store: MarketStore, content: bytes, name: str) -> dict:
    return import_ledger(store, OPERATOR, content, name, cooperative="Coop")


LEDGER_HEADER = (
    "Lote;Fecha;Comprador;Peso bruto (g);Ley;Moneda;Valor recibido;Certificación;Prima USD;Regalías"
)
GOOD_LEDGER_ROW = [
    "L",
    "10/05/2024",
    "C.I. Metales",
    "100,5",
    "875",
    "COP",
    "26.000.000",
    "Fairmined",
    "360",
    "0",
]


@st.composite
def ledger_with_odd_values(draw) -> bytes:
    """A bookkeeper's sheet whose rows carry odd values in random places."""
    rows = []
    for number in range(draw(st.integers(1, 12))):
        row = list(GOOD_LEDGER_ROW)
        row[0] = f"L{number}"
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.integers(1, len(row) - 1))] = draw(CELL).replace(";", ",").replace("\n", " ")
        rows.append(";".join(row))
    return "\n".join([LEDGER_HEADER, *rows]).encode("utf-8")


@FUZZ
@given(content=ledger_with_odd_values())
def test_odd_values_never_reach_the_store(fuzz_store, content):
    """Infinities, extreme exponents, ancient dates and markup: stored only as sane values, else rejected."""
    try:
        report = import_ledger(fuzz_store, OPERATOR, content, "ventas.csv", cooperative="Fuzz")
    except LedgerFileError:
        TRIED["odd ledger refused clearly"] += 1
        return
    TRIED["odd ledger imported"] += 1
    assert all(set(entry) >= {"line", "reason", "code"} for entry in report["rejected"])
    sales = load_sales(fuzz_store, OPERATOR, ["Fuzz"])
    numbers = sales.select_dtypes("number").drop(columns=["import_id"], errors="ignore").to_numpy(dtype=float)
    assert np.isfinite(numbers).all()
    assert (sales["gross_weight_g"] > 0).all() and (sales["gross_weight_g"] <= 1e6).all()
    assert ((sales["fineness"] > 0) & (sales["fineness"] <= 1)).all()
    assert (sales["date"] >= pd.Timestamp("1900-01-01")).all() and (sales["date"] <= pd.Timestamp.now()).all()


@FUZZ
@given(
    values=st.lists(st.tuples(st.sampled_from(["2024-05-06", "2024-05-07", *ODD_DATES]), CELL), max_size=15)
)
def test_odd_values_in_price_files_are_rejected_per_line(values):
    text = "date,GOLD_USD\n" + "\n".join(f"{day},{value.replace(',', ';')}" for day, value in values)
    try:
        parsed = parse_price_file(text.encode("utf-8"), "gold.csv")
    except PriceFileError:
        TRIED["odd price file refused clearly"] += 1
        return
    TRIED["odd price file parsed"] += 1
    observations = parsed.observations
    assert np.isfinite(observations["value"].to_numpy(dtype=float)).all()
    assert (observations["value"] > 0).all() and (observations["value"] <= 1e9).all()
    assert (observations["date"] >= pd.Timestamp("1900-01-01")).all()


def test_upload_limits_are_clear():
    with pytest.raises(PriceFileError, match="the limit is 20 MB"):
        parse_price_file(b"date,GOLD_USD\n" + b"2024-01-01,1\n" * 2_000_000, "gold.csv")
    with pytest.raises(LedgerFileError, match="the limit is 20 MB"):
        parse_ledger(b"a,b\n" + b"1,2\n" * 6_000_000, "ventas.csv", cooperative="Coop")
    with pytest.raises(PriceFileError, match="more than 200,000 rows; the limit is 200,000"):
        parse_price_file(b"date,GOLD_USD\n" + b"2024-01-01,1\n" * 200_001, "gold.csv")
    with pytest.raises(LedgerFileError, match="more than 100,000 rows; the limit is 100,000"):
        parse_ledger(b"sale_id,date\n" + b"1,2024-01-01\n" * 100_001, "ventas.csv", cooperative="Coop")


def teardown_module() -> None:
    """The counts for the note (shown with -s)."""
    total = sum(TRIED.values())
    print(f"\nfuzz: {total} importer runs on {EXAMPLES} examples per property: {dict(TRIED)}")
