"""``mockrunner serve`` and ``mockrunner policy ...``."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import ssl
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace

from mockrunner.admin_access import ip_of
from mockrunner.config import (
    DEFAULT_PORT,
    ENFORCEMENT_MODES,
    Settings,
    parse_accounts,
    parse_names,
    parse_quotas,
    region_name,
)
from mockrunner.iam_engine.cli import add_policy_parser
from mockrunner.suggest.cli import add_suggest_command
from mockrunner.tls import TLSSetupError, names_not_covered, server_context


def port_number(text: str) -> int:
    """A TCP port, 0-65535 (0: a free one), for ``--port``; anything else is a usage error."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {text!r}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockrunner", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                       help=f"port to bind (default {DEFAULT_PORT}; 0 picks a free port and prints it)")
    serve.add_argument("--enforce", choices=ENFORCEMENT_MODES, help="IAM enforcement (default on)")
    serve.add_argument("--account-id", dest="default_account", help="default account (default 123456789012)")
    serve.add_argument("--region", dest="default_region", type=region, help="default region (default us-east-1)")
    serve.add_argument("--accounts", type=accounts, dest="extra_accounts",
                       help="further accounts as ACCOUNT_ID:ACCESS_KEY_ID:SECRET[,...]")
    serve.add_argument("--operation-delay", type=float, help="seconds App Runner operations take (default 1)")
    serve.add_argument("--seed", action="append", dest="seed_files", help="seed file to load (repeatable)")
    serve.add_argument("--state-file", help="persist every mutation to this file and reload it on start")
    serve.add_argument("--admin-token", help="require this token on /_mockrunner/* (X-Mockrunner-Admin-Token or "
                                             "Authorization: Bearer); prefer MOCKRUNNER_ADMIN_TOKEN, which ps "
                                             "does not show")
    serve.add_argument("--admin-remote", action="store_true", default=None,
                       help="serve /_mockrunner/* to non-loopback clients too; needs an admin token "
                            "(default: loopback only)")
    serve.add_argument("--admin-host", action="append", dest="admin_hosts", metavar="NAME",
                       help="a further Host name the admin API answers under, e.g. a container's service name "
                            "(repeatable; MOCKRUNNER_ADMIN_HOSTS=a,b)")
    serve.add_argument("--quota", action="append", default=[], metavar="NAME=VALUE",
                       help="override an App Runner or IAM quota, e.g. apprunner_max_services=100, "
                            "iam_max_roles=5000 (repeatable)")
    serve.add_argument("--quiet", action="store_true", help="do not log one line per request")
    serve.add_argument("--tls-cert", metavar="PEM", default=os.environ.get("MOCKRUNNER_TLS_CERT"),
                       help="also answer HTTPS on the same port with this certificate (MOCKRUNNER_TLS_CERT); with "
                            "--tls-key; when neither file exists, a self-signed pair is made there first")
    serve.add_argument("--tls-key", metavar="PEM", default=os.environ.get("MOCKRUNNER_TLS_KEY"),
                       help="the certificate's private key (MOCKRUNNER_TLS_KEY)")
    serve.add_argument("--tls-name", action="append", dest="tls_names", metavar="NAME",
                       help="a further host name or address a self-signed certificate is made for, besides "
                            "localhost, 127.0.0.1 and ::1 (repeatable; MOCKRUNNER_TLS_NAMES=a,b)")
    serve.set_defaults(func=serve_command)
    add_suggest_command(add_policy_parser(commands))
    return parser


def region(text: str) -> str:
    """``--region``: a region of the aws partition (:func:`~mockrunner.config.region_name`); else a usage error."""
    try:
        return region_name(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def accounts(text: str) -> tuple:
    """``--accounts``: :func:`~mockrunner.config.parse_accounts`, its message kept for a usage error (argparse
    replaces a ``ValueError``'s with "invalid parse_accounts value")."""
    try:
        return parse_accounts(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def bind_name(host: str) -> tuple[str, ...]:
    """The address ``serve`` binds to, as an admin Host name when it is a name (an address needs no listing)."""
    return () if not host or ip_of(host) is not None else (host,)


def serve_command(args: argparse.Namespace) -> int:
    from mockrunner.app import create_app
    from mockrunner.serving import make_server

    overrides = {name: getattr(args, name) for name in (
        "enforce", "default_account", "default_region", "extra_accounts", "operation_delay", "state_file",
        "admin_token", "admin_remote")}
    if args.seed_files:
        overrides["seed_files"] = tuple(args.seed_files)
    if args.admin_hosts:
        overrides["admin_hosts"] = tuple(args.admin_hosts)
    if args.quiet:
        overrides["log_requests"] = False
    try:
        settings = Settings.from_env(**overrides)
        settings = replace(settings, admin_hosts=(*settings.admin_hosts, *bind_name(args.host)))
        if args.quota:
            settings.quotas = parse_quotas(",".join(args.quota), settings.quotas)
    except ValueError as error:
        print(f"mockrunner: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    from mockrunner.persistence import StateFileError
    from mockrunner.seed import SeedError

    try:
        app = create_app(settings)
    except (StateFileError, SeedError) as error:  # refuse to start rather than lose or half-seed state
        print(f"mockrunner: {one_line(str(error))}", file=sys.stderr, flush=True)
        return 1
    try:
        tls_context = tls_server_context(args)
    except (TLSSetupError, ValueError) as error:
        print(f"mockrunner: {one_line(str(error))}", file=sys.stderr, flush=True)
        return 2
    try:
        server = make_server(args.host, args.port, app, tls_context=tls_context)
    except OSError as error:
        print(f"mockrunner: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    host = f"[{args.host}]" if ":" in args.host else args.host  # an IPv6 address is bracketed in a URL
    address = f"{host}:{server.server_port}"
    also = f" and https://{address} (certificate {args.tls_cert})" if tls_context else ""
    print(f"mockrunner listening on http://{address}{also}", flush=True)

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    print("mockrunner stopped", flush=True)
    return 0


def tls_server_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    """The TLS context ``--tls-cert``/``--tls-key`` ask for (None: plain HTTP only); ValueError for half a pair, or
    for ``--tls-name`` without them.  A certificate made before, which does not name a name asked for now, is served
    with a warning on stderr (delete both files to have a new pair made)."""
    if not args.tls_cert and not args.tls_key:
        if args.tls_names:
            raise ValueError("--tls-name names the self-signed certificate of --tls-cert/--tls-key: give them too")
        return None
    if not args.tls_cert or not args.tls_key:
        raise ValueError("--tls-cert and --tls-key go together (or MOCKRUNNER_TLS_CERT and MOCKRUNNER_TLS_KEY)")
    asked = args.tls_names or parse_names(os.environ.get("MOCKRUNNER_TLS_NAMES", ""))
    names = asked
    bound = ip_of(args.host)
    if args.host and (bound is None or not bound.is_unspecified):  # the name or address clients will use
        names = (*names, args.host)
    existed = os.path.exists(args.tls_cert)
    context = server_context(args.tls_cert, args.tls_key, names)
    missing = names_not_covered(args.tls_cert, asked) if existed else []
    if missing:
        print(f"mockrunner: warning: {args.tls_cert} was made before and does not name {', '.join(missing)}; "
              "delete it and its key to have a new pair made", file=sys.stderr, flush=True)
    return context


def one_line(message: str) -> str:
    """A start-up error is reported on one line, whatever a path or a parser's message holds."""
    return " ".join(message.splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # The reader went away (``mockrunner policy evaluate ... | head``): stop quietly, as other command-line
        # tools do, with stdout pointed at nothing so that the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
