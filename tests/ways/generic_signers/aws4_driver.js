// The `aws4` Node module (Debian's node-aws4) driven by JSON: run as `node aws4_driver.js ENDPOINT` (NODE_PATH
// naming the directory holding aws4), it reads one JSON array of requests on stdin, signs each with aws4.sign and
// sends it with Node's http module, in order, and prints one JSON object: each request's name -> its answer.
//
// A request: {"name", "service", "region" (both left out: aws4 reads them from "host"), "host" (AWS's host name:
//             the request goes to ENDPOINT as its HTTP proxy, an absolute-form request line; else straight to
//             ENDPOINT, whose host:port aws4 signs), "method", "path", "query": [[K, V]...] (URLSearchParams, a
//             space as '+'), "form": [[K, V]...] (a url-encoded POST body), "json" (a raw POST body),
//             "headers": [[K, V]...], "credentials": {"accessKeyId", "secretAccessKey", "sessionToken"} or
//             {"from": NAME} (the Credentials of an earlier STS answer), "signQuery": true (presigned URL),
//             "send": [[K, V]...] (headers added after signing), "unsend": [NAME...] (signed headers not sent)}.
// An answer: {"status", "contentType", "body", "signedPath"} (status 0: the driver failed, body says why).
'use strict'
const aws4 = require('aws4')
const http = require('http')

const endpoint = new URL(process.argv[2])
const root = {accessKeyId: 'test', secretAccessKey: 'test'}
const answers = {}

function credentials(given) {
  if (!given) return root
  if (!given.from) return given
  const found = /<Credentials>([\s\S]*)<\/Credentials>/.exec(answers[given.from].body)
  if (!found) throw new Error('no credentials in ' + given.from)
  const tag = name => new RegExp('<' + name + '>([^<]*)</' + name + '>').exec(found[1])[1]
  return {accessKeyId: tag('AccessKeyId'), secretAccessKey: tag('SecretAccessKey'), sessionToken: tag('SessionToken')}
}

function build(call) {
  const query = call.query ? '?' + new URLSearchParams(call.query).toString() : ''
  const request = {method: call.method, path: (call.path === undefined ? '/' : call.path) + query,
                   headers: Object.fromEntries(call.headers || []), signQuery: call.signQuery}
  if (call.service) request.service = call.service
  if (call.region) request.region = call.region
  if (call.form) request.body = new URLSearchParams(call.form).toString()
  if (call.json !== undefined) request.body = call.json
  if (call.host) request.host = call.host
  else { request.host = endpoint.hostname; request.port = endpoint.port }
  return request
}

function send(call) {
  const signed = aws4.sign(build(call), credentials(call.credentials))
  const headers = Object.assign({}, signed.headers, Object.fromEntries(call.send || []))
  for (const name of call.unsend || []) delete headers[name]
  const target = call.host ? 'http://' + call.host + signed.path : signed.path
  return new Promise((resolve, reject) => {
    const request = http.request({host: endpoint.hostname, port: endpoint.port, method: signed.method || 'GET',
                                  path: target, headers, timeout: 30000}, response => {
      const chunks = []
      response.on('data', chunk => chunks.push(chunk))
      response.on('end', () => resolve({status: response.statusCode, contentType: response.headers['content-type'],
                                        body: Buffer.concat(chunks).toString('utf8'), signedPath: signed.path}))
    })
    request.on('timeout', () => request.destroy(new Error('timed out')))
    request.on('error', reject)
    if (signed.body !== undefined) request.write(signed.body)
    request.end()
  })
}

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  for (const call of JSON.parse(Buffer.concat(chunks).toString('utf8'))) {
    try {
      answers[call.name] = await send(call)
    } catch (error) {
      answers[call.name] = {status: 0, contentType: null, body: 'driver: ' + error.stack}
    }
  }
  process.stdout.write(JSON.stringify(answers) + '\n')
}

main()
