// The legacy AWS SDK for JavaScript v2 (npm aws-sdk 2.x: its own query and JSON serializers, XML parser, SigV4
// signer, error handling and credential providers) against mockrunner, for
// tests/ways/test_js_sdk_v2_every_operation.py.
//
// Usage: node driver.mjs ENDPOINT_URL; one JSON request a line on standard input, one JSON answer a line out:
//   {"describe": true}
//     -> {"SERVICE": {"OPERATION": {"input": TREE, "output": TREE}}}: the operations of the SDK's bundled API
//        models and the members of their input and output shapes (TREE: member name -> TREE of its structure,
//        of a list's or a map's structure, or null for a scalar).
//   {"service", "operation", "input", "caller", "provider"}
//     -> {"ok": true, "output", "status", "requestId"}
//     or {"ok": false, "code", "message", "status", "requestId", "name", "isError", "statusCode",
//         "errorRequestId", "retryable", "members", "wrapped"} (the error's own fields; "wrapped": the code,
//         statusCode and message of each error it wraps, outermost first, such as a credential provider's STS error)
//     or {"ok": false, "code": "NoSuchOperation"} when the SDK's model lacks the operation.
// "caller" is null for the account's root (access key "test") or {"accessKeyId", "secretAccessKey",
// "sessionToken"?}.  With "provider":
// {"class": "ChainableTemporaryCredentials" | "TemporaryCredentials", "params"} the call is signed with the
// credentials that provider gets from STS (its own STS client signed with "caller"'s keys), and the answer adds
// "credentials": {"accessKeyId", "expired"} as the provider holds them after the call.
// In inputs and outputs {"$date": EPOCH_MS} stands for a Date and {"$blob": BASE64} for a Buffer; the query
// services' ResponseMetadata is not part of "output" (its RequestId is the answer's "requestId").
import { createInterface } from "node:readline";
import AWS from "aws-sdk";

const endpoint = process.argv[2];
const CLASSES = { apprunner: AWS.AppRunner, ecr: AWS.ECR, iam: AWS.IAM, sts: AWS.STS };
const ROOT = { accessKeyId: "test", secretAccessKey: "test" };
const ERROR_FIELDS = new Set(["code", "message", "statusCode", "requestId", "retryable", "time", "name",
  "stack", "extendedRequestId", "cfId", "region", "hostname", "retryDelay", "originalError"]);

function config(credentials) {
  return { region: "us-east-1", endpoint, credentials, maxRetries: 0, sslEnabled: endpoint.startsWith("https") };
}

function credentialsOf(caller) {
  const keys = caller || ROOT;
  return new AWS.Credentials(keys.accessKeyId, keys.secretAccessKey, keys.sessionToken ?? null);
}

function providerOf(provider, caller) {
  const master = credentialsOf(caller);
  if (provider.class === "ChainableTemporaryCredentials") {
    return new AWS.ChainableTemporaryCredentials({ params: provider.params, masterCredentials: master,
      stsConfig: config(master) });
  }
  if (provider.class === "TemporaryCredentials") {
    const temporary = new AWS.TemporaryCredentials(provider.params, master);
    temporary.service = new AWS.STS({ ...config(master), params: provider.params });
    return temporary;
  }
  throw new Error(`no such credential provider: ${provider.class}`);
}

function tree(shape, depth = 0) {
  if (depth > 20 || shape === undefined) return null;
  if (shape.type === "list") return tree(shape.member, depth + 1);
  if (shape.type === "map") return tree(shape.value, depth + 1);
  if (shape.type !== "structure") return null;
  return Object.fromEntries(Object.entries(shape.members).map(([name, member]) => [name, tree(member, depth + 1)]));
}

function describe() {
  return Object.fromEntries(Object.entries(CLASSES).map(([service, Client]) => [service, Object.fromEntries(
    Object.values(new Client(config(ROOT)).api.operations).map((operation) => [operation.name,
      { input: tree(operation.input), output: tree(operation.output) }]))]));
}

function toInput(value) {
  if (Array.isArray(value)) return value.map(toInput);
  if (value !== null && typeof value === "object") {
    if ("$blob" in value) return Buffer.from(value.$blob, "base64");
    if ("$date" in value) return new Date(value.$date);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toInput(item)]));
  }
  return value;
}

function fromOutput(value) {
  if (value instanceof Date) return { $date: value.getTime() };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { $blob: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(fromOutput);
  if (value !== null && typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return { $class: value.constructor?.name ?? "?" };
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromOutput(item)]));
  }
  if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
  return value;
}

const clients = new Map();
function client(service, caller, provider) {
  if (provider) return new CLASSES[service](config(providerOf(provider, caller)));
  const key = `${service}/${credentialsOf(caller).accessKeyId}`;
  if (!clients.has(key)) clients.set(key, new CLASSES[service](config(credentialsOf(caller))));
  return clients.get(key);
}

function wrapped(error) {
  const chain = [];
  for (let inner = error.originalError; inner && chain.length < 10; inner = inner.originalError) {
    chain.push({ code: inner.code, statusCode: inner.statusCode, message: inner.message });
  }
  return chain;
}

function send(request) {
  return new Promise((resolve) => request.send((error, data) => resolve({ error, data })));
}

async function call({ service, operation, input, caller, provider }) {
  const sdk = client(service, caller, provider);
  const method = Object.keys(sdk.api.operations).find((name) => sdk.api.operations[name].name === operation);
  if (method === undefined) return { ok: false, code: "NoSuchOperation", message: `${service}.${operation}` };
  const request = sdk.makeRequest(method, toInput(input ?? {}));
  const { error, data } = await send(request);
  const response = request.response;
  const answer = { status: response.httpResponse?.statusCode, requestId: response.requestId };
  if (provider) {
    const held = sdk.config.credentials;
    answer.credentials = { accessKeyId: held.accessKeyId, expired: held.expired };
  }
  if (error) {
    const members = Object.fromEntries(Object.entries(error).filter(([key]) => !ERROR_FIELDS.has(key)));
    return { ok: false, ...answer, code: error.code, message: error.message, name: error.name,
      isError: error instanceof Error, statusCode: error.statusCode, errorRequestId: error.requestId,
      retryable: error.retryable, members: fromOutput(members), wrapped: wrapped(error) };
  }
  const { ResponseMetadata, ...output } = data;
  return { ok: true, ...answer, output: fromOutput(output), metadataRequestId: ResponseMetadata?.RequestId };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const request = JSON.parse(line);
  let answer;
  try {
    answer = request.describe ? describe() : await call(request);
  } catch (error) {
    answer = { ok: false, code: "DriverError", message: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
