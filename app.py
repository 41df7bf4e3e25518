"""招商台账 entry point: `crm` opens the TUI; `crm <command>` runs a script command."""

import sys


def main(argv=None):
    """Console entry (`crm`): dispatch to the CLI, which opens the TUI when no command is given."""
    from cli.main import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
