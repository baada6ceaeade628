"""Accounts error codes."""

from hawker.core.errors import Conflict, Unauthenticated


class EmailTaken(Conflict):
    code = "email_taken"
    title = "Email already registered"


class BadCredentials(Unauthenticated):
    code = "bad_credentials"
    title = "Wrong email or password"
