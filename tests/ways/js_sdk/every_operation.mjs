// Every operation of the four services through the AWS SDK for JavaScript v3, for
// tests/ways/test_js_sdk_every_operation.py.
//
// Usage: node every_operation.mjs CALLS.json OUTCOMES.json
// CALLS.json: {"endpoint": URL, "state": STATE_DOCUMENT, "calls": [{"service", "operation", "input", "caller"}]}
// ("caller": null for the account's root, else {"accessKeyId", "secretAccessKey"}); in inputs
// {"$blob": BASE64} stands for a Uint8Array and {"$date": EPOCH_MS} for a Date.  Before each call the server's
// state is replaced by STATE_DOCUMENT (the admin API), so every call starts from the same world.
// OUTCOMES.json: one outcome per call, in order: {"ok": true, "output", "status", "requestId"} or
// {"ok": false, "name", "fault", "status", "requestId", "message", "modeled", "members"}; in outputs a Date becomes
// {"$date": EPOCH_MS}, a Uint8Array {"$blob": BASE64}, and any other non-plain object {"$class": NAME}.
import { readFileSync, writeFileSync } from "node:fs";
import * as apprunner from "@aws-sdk/client-apprunner";
import * as ecr from "@aws-sdk/client-ecr";
import * as iam from "@aws-sdk/client-iam";
import * as sts from "@aws-sdk/client-sts";

const [callsPath, outcomesPath] = process.argv.slice(2);
const { endpoint, state, calls } = JSON.parse(readFileSync(callsPath, "utf8"));
const root = { accessKeyId: "test", secretAccessKey: "test" };
const packages = { apprunner, ecr, iam, sts };
const Clients = { apprunner: apprunner.AppRunnerClient, ecr: ecr.ECRClient, iam: iam.IAMClient, sts: sts.STSClient };
const clients = new Map();
function client(service, caller) {
  const credentials = caller ?? root;
  const key = `${service}/${credentials.accessKeyId}`;
  if (!clients.has(key)) clients.set(key, new Clients[service]({ region: "us-east-1", endpoint, credentials, maxAttempts: 1 }));
  return clients.get(key);
}

function toInput(value) {
  if (Array.isArray(value)) return value.map(toInput);
  if (value !== null && typeof value === "object") {
    if ("$blob" in value) return new Uint8Array(Buffer.from(value.$blob, "base64"));
    if ("$date" in value) return new Date(value.$date);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toInput(v)]));
  }
  return value;
}

function fromOutput(value) {
  if (value instanceof Date) return { $date: value.getTime() };
  if (value instanceof Uint8Array) return { $blob: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(fromOutput);
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return { $class: value.constructor?.name ?? "?" };
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "$metadata")
      .map(([k, v]) => [k, fromOutput(v)]));
  }
  if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
  return value;
}

async function restore() {
  const reply = await fetch(`${endpoint}/_mockrunner/state`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(state) });
  if (reply.status !== 200) throw new Error(`restoring the state: ${reply.status} ${await reply.text()}`);
}

const ERROR_FIELDS = new Set(["name", "message", "$fault", "$metadata", "$response", "$retryable", "stack"]);
const outcomes = [];
for (const { service, operation, input, caller } of calls) {
  await restore();
  const Command = packages[service][`${operation}Command`];
  if (Command === undefined) { outcomes.push({ ok: false, name: "NoSuchCommand", modeled: false }); continue; }
  try {
    const output = await client(service, caller).send(new Command(toInput(input)));
    outcomes.push({ ok: true, output: fromOutput(output), status: output.$metadata?.httpStatusCode,
      requestId: output.$metadata?.requestId });
  } catch (e) {
    const modeled = typeof packages[service][e.name] === "function" && e instanceof packages[service][e.name];
    outcomes.push({ ok: false, name: e.name, fault: e.$fault, status: e.$metadata?.httpStatusCode,
      requestId: e.$metadata?.requestId, message: String(e.message), modeled,
      errorClass: e.constructor?.name, members: fromOutput(Object.fromEntries(Object.entries(e)
        .filter(([k]) => !ERROR_FIELDS.has(k)))) });
  }
}
writeFileSync(outcomesPath, JSON.stringify(outcomes));
