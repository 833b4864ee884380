"""Per-call latency of STS GetCallerIdentity and IAM GetRole, side by side in one run.

Rows: mockrunner in-process and over HTTP (enforcement on), moto's ``mock_aws`` and threaded server, and two
do-nothing floors that answer a canned response: a ``before-send`` hook and the same HTTP server mockrunner
serves with, running a trivial WSGI app.  ``--candidates`` adds rows for other WSGI servers running the same
mockrunner app (werkzeug's, cheroot, waitress), to compare HTTP servers in the same conditions.

The machine is shared and noisy, so only numbers measured in the same run compare: the HTTP rows are measured
in ``--repeats`` interleaved rounds (every row once per round), and each figure is the median over the rounds
with the range [min-max] beside it; the ratios against moto's server are taken within each round.  Each HTTP
row is given in wall time and in this process's CPU time per call: every server here runs in this process, and
CPU time is what stays comparable when other processes load the machine.

Needs moto (``pip install -e '.[bench]'``); a candidate server must be installed to be measured.
Usage: ``python scripts/bench_protocol.py [--calls N] [--repeats R] [--candidates werkzeug,cheroot,waitress]``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import threading
import time
from collections.abc import Callable

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse

from mockrunner.app import create_app
from mockrunner.config import Settings
from mockrunner.serving import make_server
from mockrunner.testing.inprocess import BeforeSendHook, _Raw

ROLE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "tasks.apprunner.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
CANNED = {
    "sts": b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
           b"<Arn>arn:aws:iam::123456789012:root</Arn><UserId>123456789012</UserId><Account>123456789012</Account>"
           b"</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
           b"</GetCallerIdentityResponse>",
    "iam": b'<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role><Path>/</Path>'
           b"<RoleName>bench</RoleName><RoleId>AROAAAAAAAAAAAAAAAAAA</RoleId>"
           b"<Arn>arn:aws:iam::123456789012:role/bench</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate>"
           b"<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role></GetRoleResult>"
           b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>",
}
try:  # imported before any botocore session exists, so that moto's before-send hook is in every session
    from moto import mock_aws
except ImportError as error:
    mock_aws, MOTO_MISSING = None, f"moto cannot be imported ({error}): skipping the moto rows"
try:  # the server rows need moto's server dependencies as well (the bench extra), the mock_aws row only moto
    from moto.server import ThreadedMotoServer
except ImportError as error:
    ThreadedMotoServer = None
    MOTO_MISSING = (f"moto's server cannot be imported ({error}): skipping the moto server rows"
                    if mock_aws is not None else MOTO_MISSING)
BOTOCORE = botocore.session.get_session()


def refuse_network(client: object) -> object:
    """Make an in-process client fail instead of sending: a request nobody answered must not leave the machine.

    botocore calls every before-send handler and sends over HTTP only when none returned a response, so the
    guard sits in the client's HTTP session rather than in another handler.
    """

    def send(request: object) -> None:
        raise RuntimeError(f"benchmark request to {request.url} was not intercepted")

    client._endpoint.http_session.send = send
    return client


def client(service: str, endpoint_url: str | None) -> object:
    session = boto3.session.Session(botocore_session=BOTOCORE)
    return session.client(service, region_name="us-east-1", endpoint_url=endpoint_url,
                          aws_access_key_id="test", aws_secret_access_key="test")


def per_call_ms(call: Callable[[], object], calls: int, deadline: float) -> float:
    """Median of 5 batches, in ms per call; bounded by ``calls`` and a wall-clock deadline."""
    for _ in range(min(20, calls)):
        call()
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        done = 0
        while done < calls // 5 and time.perf_counter() < deadline:
            call()
            done += 1
        if done:
            batches.append((time.perf_counter() - start) / done * 1000)
    return statistics.median(batches)


def the_calls(sts: object, iam: object) -> dict[str, Callable[[], object]]:
    return {"GetCallerIdentity": sts.get_caller_identity, "GetRole": lambda: iam.get_role(RoleName="bench")}


def canned_app(environ: dict, start_response: Callable) -> list[bytes]:
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = CANNED["iam" if "GetRole" in environ.get("QUERY_STRING", "") or _is_iam(environ) else "sts"]
    start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
    return [body]


def _is_iam(environ: dict) -> bool:
    return "/iam/" in environ.get("HTTP_AUTHORIZATION", "")


def serve_shipped(app: object) -> tuple[Callable[[], None], str]:
    server = make_server("127.0.0.1", 0, app)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server.shutdown, f"http://127.0.0.1:{server.server_port}"


def serve_werkzeug(app: object) -> tuple[Callable[[], None], str]:
    from werkzeug.serving import make_server as make_werkzeug_server

    server = make_werkzeug_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.shutdown, f"http://127.0.0.1:{server.server_port}"


def serve_cheroot(app: object) -> tuple[Callable[[], None], str]:
    from cheroot.wsgi import Server

    server = Server(("127.0.0.1", 0), app, numthreads=10)
    server.prepare()
    threading.Thread(target=server.serve, daemon=True).start()
    return server.stop, f"http://127.0.0.1:{server.bind_addr[1]}"


def serve_waitress(app: object) -> tuple[Callable[[], None], str]:
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return server.close, f"http://127.0.0.1:{server.effective_port}"


CANDIDATE_SERVERS: dict[str, Callable[[object], tuple[Callable[[], None], str]]] = {
    "werkzeug": serve_werkzeug, "cheroot": serve_cheroot, "waitress": serve_waitress,
}


def mockrunner_clients(endpoint_url: str | None, app: object) -> tuple[object, object]:
    sts, iam = client("sts", endpoint_url or "http://127.0.0.1:9"), client("iam", endpoint_url or "http://127.0.0.1:9")
    if endpoint_url is None:
        handler = BeforeSendHook(lambda: app)
        handler.attach(sts)
        handler.attach(iam)
    iam.create_role(RoleName="bench", AssumeRolePolicyDocument=ROLE_TRUST)
    return sts, iam


def throughput(url: str, threads: int, seconds: float) -> float:
    """GetRole calls per second with ``threads`` clients hammering ``url`` for ``seconds`` (bounded)."""
    clients = [client("iam", url) for _ in range(threads)]
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def work(index: int) -> None:
        iam = clients[index]
        while time.perf_counter() < stop and counts[index] < 100_000:
            iam.get_role(RoleName="bench")
            counts[index] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - start)


def canned_hook(request: object, event_name: str = "", **_: object) -> AWSResponse:
    body = CANNED["iam" if ".iam." in f".{event_name}." else "sts"]
    return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, _Raw(body))


def timed_ms(call: Callable[[], object], calls: int, deadline: float) -> tuple[float, float]:
    """(wall, CPU) ms per call over up to ``calls`` calls, stopping at ``deadline``.

    CPU time is this process's (user + system, all threads): client, server and moto's server all run in
    it, so it is the work one call costs, and other processes on a busy machine barely change it.
    """
    start, cpu_start = time.perf_counter(), time.process_time()
    done = 0
    while done < calls and time.perf_counter() < deadline:
        call()
        done += 1
    done = max(done, 1)
    return (time.perf_counter() - start) / done * 1000, (time.process_time() - cpu_start) / done * 1000


def spread(values: list[float], digits: int = 3) -> str:
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000, help="in-process rows: calls per operation (default 1000)")
    parser.add_argument("--round-calls", type=int, default=100, help="HTTP rows: calls per operation and round")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds of the HTTP rows (default 7)")
    parser.add_argument("--seconds", type=float, default=20, help="time budget per row (default 20)")
    parser.add_argument("--threads", type=int, default=4, help="client threads for the throughput rows")
    parser.add_argument("--candidates", default="", help="comma-separated: " + ",".join(CANDIDATE_SERVERS))
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
    rows: dict[str, dict[str, float]] = {}
    rates: dict[str, float] = {}
    settings = Settings(log_requests=False, enforce="on")

    def measure(name: str, sts: object, iam: object) -> None:
        deadline = time.perf_counter() + args.seconds
        rows[name] = {op: per_call_ms(call, args.calls, deadline) for op, call in the_calls(sts, iam).items()}

    app = create_app(settings)
    measure("mockrunner in-process", *mockrunner_clients(None, app))
    sts, iam = client("sts", "http://127.0.0.1:9"), client("iam", "http://127.0.0.1:9")
    sts.meta.events.register_first("before-send", canned_hook)
    iam.meta.events.register_first("before-send", canned_hook)
    measure("floor: before-send canned", sts, iam)
    if mock_aws is not None:
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        with mock_aws():
            sts, iam = (boto3.session.Session().client(name, region_name="us-east-1", aws_access_key_id="test",
                                                       aws_secret_access_key="test") for name in ("sts", "iam"))
            sts, iam = refuse_network(sts), refuse_network(iam)
            iam.create_role(RoleName="bench", AssumeRolePolicyDocument=ROLE_TRUST)
            measure("moto mock_aws", sts, iam)

    http_rows: dict[str, tuple[object, object]] = {}
    urls: dict[str, str] = {}
    stops: list[Callable[[], None]] = []
    stop, urls["mockrunner server"] = serve_shipped(create_app(settings))
    stops.append(stop)
    http_rows["mockrunner server"] = mockrunner_clients(urls["mockrunner server"], None)
    stop, url = serve_shipped(canned_app)
    stops.append(stop)
    http_rows["floor: same server, canned"] = client("sts", url), client("iam", url)
    for name in filter(None, args.candidates.split(",")):
        stop, urls[f"candidate: {name}"] = CANDIDATE_SERVERS[name](create_app(settings))
        stops.append(stop)
        http_rows[f"candidate: {name}"] = mockrunner_clients(urls[f"candidate: {name}"], None)
    if ThreadedMotoServer is None:
        print(f"{MOTO_MISSING} (pip install -c constraints.txt -e '.[bench]')")
    else:
        moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto_server.start()
        stops.append(moto_server.stop)
        host, port = moto_server.get_host_and_port()
        urls["moto server"] = f"http://{host}:{port}"
        sts, iam = client("sts", urls["moto server"]), client("iam", urls["moto server"])
        iam.create_role(RoleName="bench", AssumeRolePolicyDocument=ROLE_TRUST)
        http_rows["moto server"] = sts, iam

    clocks = ("wall", "cpu")
    rounds: dict[str, dict[str, dict[str, list[float]]]] = {
        clock: {name: {"GetCallerIdentity": [], "GetRole": []} for name in http_rows} for clock in clocks}
    for sts, iam in http_rows.values():  # warm every server and connection pool
        for call in the_calls(sts, iam).values():
            timed_ms(call, 20, time.perf_counter() + args.seconds)
    for _ in range(args.repeats):
        for name, (sts, iam) in http_rows.items():
            deadline = time.perf_counter() + args.seconds
            for op, call in the_calls(sts, iam).items():
                for clock, value in zip(clocks, timed_ms(call, args.round_calls, deadline), strict=True):
                    rounds[clock][name][op].append(value)
    for name in ("mockrunner server", "moto server"):
        if name in urls:
            rates[name] = throughput(urls[name], args.threads, min(args.seconds, 5))
    for stop in stops:
        stop()

    ops = ("GetCallerIdentity", "GetRole")
    print(f"{'':28s} {'GetCallerIdentity ms':>26s} {'GetRole ms':>26s}")
    for name, row in rows.items():
        print(f"{name:28s} {row['GetCallerIdentity']:26.3f} {row['GetRole']:26.3f}")
    for op in ops:
        for a, b in (("mockrunner in-process", "floor: before-send canned"),
                     ("moto mock_aws", "mockrunner in-process")):
            if a in rows and b in rows:
                print(f"{op}: {a} / {b} = {rows[a][op] / rows[b][op]:.2f}x")
    for clock in clocks:
        print(f"\nover HTTP, {clock} ms per call, median [min-max] of {args.repeats} interleaved rounds "
              f"of {args.round_calls} calls:")
        for name, row in rounds[clock].items():
            print(f"{name:28s} {spread(row['GetCallerIdentity']):>26s} {spread(row['GetRole']):>26s}")
        for op in ops:
            pairs = [("mockrunner server", "floor: same server, canned")]
            pairs += [("moto server", name) for name in rounds[clock] if name.startswith(("mockrunner", "candidate"))]
            for a, b in pairs:
                if a in rounds[clock] and b in rounds[clock]:
                    ratios = [x / y for x, y in zip(rounds[clock][a][op], rounds[clock][b][op], strict=True)]
                    print(f"{op} ({clock}): {a} / {b} = {spread(ratios, 2)}x (per round)")
    print()
    for name, rate in rates.items():
        print(f"throughput, {args.threads} client threads, GetRole: {name} {rate:,.0f} calls/s")
    if len(rates) == 2:
        print(f"throughput ratio mockrunner server / moto server = "
              f"{rates['mockrunner server'] / rates['moto server']:.2f}x")


if __name__ == "__main__":
    main()
