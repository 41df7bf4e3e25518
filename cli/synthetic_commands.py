"""`crm synthetic N`: fill an empty database with a synthetic ledger of N deals (benchmarks, scale tests)."""

import sys

from cli.ledger import open_ledger
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.values.dates import parse_date


def _positive(text, what, kind=int):
    try:
        value = kind(str(text).replace("_", "").replace(",", ""))
    except (TypeError, ValueError):
        value = None
    if value is None or value < 0:
        raise InvalidInput(_("{what} must be a number of 0 or more, not {text!r}").format(what=what, text=text))
    return value


def cmd_synthetic(args):
    from crm.samples import synthetic

    spec = synthetic.Spec(
        deals=_positive(args.deals, "N"),
        seed=int(args.seed),
        ledger_per_deal=_positive(args.ledger_per_deal, "--ledger-per-deal", float),
        blockers_per_deal=_positive(args.blockers_per_deal, "--blockers-per-deal", float),
        heavy_every=_positive(args.heavy_every, "--heavy-every"),
        as_of=parse_date(args.as_of) if args.as_of else None,
    )
    if spec.deals < 1:
        raise InvalidInput(_("N must be at least 1"))
    open_ledger(args, create=True)
    stats = synthetic.generate(spec, progress=synthetic._progress_printer(sys.stderr))
    print(_("Synthetic ledger (seed {seed}, as of {day}): not real deals").format(seed=spec.seed, day=spec.end()))
    print(synthetic.describe(stats))


def register(sub, common):
    help_text = _("fill an empty database with a synthetic ledger of N deals (for benchmarks)")
    p = sub.add_parser("synthetic", parents=[common], help=help_text, description=help_text)
    p.set_defaults(handler=cmd_synthetic)
    p.add_argument("deals", metavar="N", help=_("number of deals, e.g. 1000000"))
    p.add_argument("--seed", type=int, default=1, help=_("the same seed gives the same ledger (default 1)"))
    p.add_argument(
        "--ledger-per-deal", default="5", metavar="K", help=_("mean stage-ledger entries per deal (default 5)")
    )
    p.add_argument("--blockers-per-deal", default="0.5", metavar="B", help=_("mean blockers per deal (default 0.5)"))
    p.add_argument(
        "--heavy-every",
        default="100000",
        metavar="H",
        help=_("deals whose id is a multiple of H get 200 ledger entries and 50 blockers (0: none)"),
    )
    p.add_argument("--as-of", metavar="DATE", help=_("last date of the ledger (default 2026-11-01)"))
