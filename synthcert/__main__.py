"""`python -m synthcert`: the same command line as the `synthcert` script."""

from synthcert.cli import main

if __name__ == "__main__":
    main(prog_name="synthcert")
