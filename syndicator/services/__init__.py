"""What every front end calls (the CLI now, the admin web page next).

A service takes the App (the composition root) or what it needs from it, does the work and
returns plain frozen dataclasses: no click, no printing, no formatting. Errors are the
product's own (`SyndicatorError` and below); a front end turns them into exit codes or pages.
"""
