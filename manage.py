#!/usr/bin/env python3
"""Django's command-line utility for Placette."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if os.environ.get("DJANGO_ENV") != "production":
        from config import devservices

        devservices.ensure_running()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
