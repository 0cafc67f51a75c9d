"""Backup and restore of a state dir: `python manage.py backup create|verify|restore`."""
