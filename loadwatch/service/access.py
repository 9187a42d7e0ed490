"""Who may see and write which athlete: the scope every service call is checked against.

A :class:`Scope` is built per request from the signed-in user (:func:`scope_for`)
and handed to :meth:`loadwatch.service.Service.for_user`; the service checks it
on every read and write, so no face (CLI, dashboard, API) can forget to. An
athlete outside the scope is :class:`NotFound` with the very message an athlete
that does not exist gets: a caller cannot tell the two apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from loadwatch.accounts import Accounts, User
from loadwatch.errors import ValidationError


class NotFound(ValidationError):
    """No such athlete, or one outside the caller's scope (the same answer for both)."""


def not_found(athlete: str) -> NotFound:
    """The one error for an unknown athlete and for one the caller may not see."""
    return NotFound(f"no athlete called {athlete!r} (see 'loadwatch athletes list')")


@dataclass(frozen=True)
class Scope:
    """The acting user and the athletes they may see and write.

    ``user`` None is the local single user (the CLI, a loopback dashboard with no
    accounts); ``athletes`` None means every athlete.
    """

    user: User | None
    athletes: frozenset[str] | None

    def can_see(self, athlete: str) -> bool:
        return self.athletes is None or athlete in self.athletes

    def can_write(self, athlete: str) -> bool:
        # coaches edit the athletes they see, athletes themselves: the same set
        return self.can_see(athlete)

    @property
    def can_manage_athletes(self) -> bool:
        """Whether adding and renaming athletes is allowed (admins and coaches)."""
        return self.user is None or self.user.role in ("admin", "coach")

    @property
    def user_name(self) -> str | None:
        """The name writes are recorded under (None: the local user)."""
        return self.user.name if self.user is not None else None


#: The local single user: sees and writes every athlete.
LOCAL = Scope(None, None)


def scope_for(accounts: Accounts, user: User) -> Scope:
    """The scope of ``user`` as the account tables say now (build one per request:
    team changes and renames are seen on the next one)."""
    return Scope(user, accounts.visible_athletes(user))
