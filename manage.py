#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    # Commands such as `makemigrations --check` run without a configured environment; the web server
    # (project/wsgi.py) still refuses to start without SECRET_KEY, and deployments set it explicitly.
    os.environ.setdefault("SECRET_KEY", "insecure-key-for-management-commands")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
