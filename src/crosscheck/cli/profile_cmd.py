"""`crosscheck login|logout|profile`: the hub, agency, token and key an examiner works with."""

from __future__ import annotations

from pathlib import Path

from crosscheck.cli import common, profile, remote
from crosscheck.cli.hub_cmd import AgencyKey, AgencyOption
from crosscheck.exc import InvalidData


def login(
    hub_url: remote.HubUrl = None,
    agency: AgencyOption = None,
    token_file: common.TokenFile = None,
    agency_key: AgencyKey = None,
) -> None:
    """Check your token with the hub and write the profile (paths to your files, not secrets).

    Then `submit`, `hits`, `inbox`, `hit`, `message` and `search` go to that hub
    without --hub, --agency, --token-file or --agency-key; a flag or a
    CROSSCHECK_* variable still wins.
    """
    url, name, token = hub_url, agency, token_file
    if url is None or name is None or token is None:
        raise InvalidData("crosscheck login needs --hub URL, --agency and --token-file FILE")
    key = agency_key.resolve() if agency_key is not None else None
    if key is not None and not key.is_file():
        raise InvalidData(f"{agency_key}: no such key file")
    target = remote.Hub(url.rstrip("/"), remote.read_token(token))
    if not url.startswith(("http://", "https://")):
        raise InvalidData(f"--hub {url!r}: give the hub's URL, e.g. https://hub.example:8000")
    me = target.get("/whoami")
    if me.get("agency") != name:
        raise InvalidData(
            f"the token is {me.get('name')}'s of {me.get('agency') or 'the hub'}, not of {name}"
        )
    where = profile.save(
        profile.Profile(
            hub=target.url, agency=name, token_file=Path(token).resolve(), agency_key=key
        )
    )
    common.out.print(f"logged in to {target.url} as {me['name']} ({me['role']}) of {name}")
    common.out.print(f"profile written to {where}")


def logout() -> None:
    """Remove the profile (your token and key files stay where they are)."""
    where = profile.path()
    if profile.remove():
        common.out.print(f"profile {where} removed")
    else:
        common.out.print(f"no profile at {where}")


def show_profile(
    hub_url: remote.HubUrl = None,
    agency: AgencyOption = None,
    token_file: common.TokenFile = None,
    agency_key: AgencyKey = None,
) -> None:
    """The hub, agency, token file and key file in effect, and where each comes from."""
    common.out.print(f"profile: {profile.path()}")
    given = {"hub": hub_url, "agency": agency, "token_file": token_file, "agency_key": agency_key}
    for name in profile.FIELDS:
        value, source = profile.pick(name, given[name])
        common.out.print(f"{name}: {value if value is not None else '-'} ({source})")
