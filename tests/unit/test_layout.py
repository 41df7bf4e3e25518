"""The codebase keeps the shape the README's Layout section describes."""

import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROOMS = [
    "foundation",
    "values",
    "audit",
    "reference",
    "deals",
    "listing",
    "reporting",
    "importing",
    "backup",
    "samples",
]


@pytest.mark.parametrize("room", ROOMS)
def test_each_room_exports_its_public_names(room):
    package = importlib.import_module(f"crm.{room}")
    assert package.__all__, f"crm.{room} exports nothing"
    for name in package.__all__:
        assert callable(getattr(package, name)), f"crm.{room}.{name}"


def test_no_crm_module_is_over_600_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "crm").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert not long, long


def test_importing_a_room_imports_none_of_its_modules():
    import subprocess
    import sys

    code = (
        "import sys, crm.deals, crm.listing, crm.reporting, crm.importing; "
        "print(sorted(m for m in sys.modules if m.startswith('crm.') and m.count('.') == 2))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
