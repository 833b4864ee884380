# fog-aws (Fog::AWS::IAM and Fog::AWS::STS: their own query requests, SigV4 signer, SAX parsers and error classes)
# driven by JSON: run as `ruby driver.rb ENDPOINT`, it reads one JSON array of calls on stdin, makes them in order
# and prints one JSON object: each call's name -> its outcome.
#
# A call:    {"name", "service": "iam" | "sts", "method", "args": [...], "caller"} -> fog's request method `method`
#            called with `args`; or {"name", "service": "iam", "collection", "args"} -> the ids fog's model
#            collection `collection` yields when iterated (its own paging through markers).
#            An argument {"$from": NAME, "path": [KEY...]} is that value of an earlier call's answer.
# A caller:  {"accessKeyId", "secretAccessKey", "sessionToken"}, or {"from": NAME, "path": [KEY...]}: the
#            credentials in an earlier answer's body at `path` (AccessKeyId, SecretAccessKey, SessionToken);
#            absent or null: the root's "test" keys.
# An answer: {"ok": true, "body"} (times as ISO 8601 strings) or {"ok": false, "errorClass", "message"}.
require 'fog/aws'
require 'json'
require 'uri'

ENDPOINT = URI(ARGV.fetch(0))
ROOT = { 'accessKeyId' => 'test', 'secretAccessKey' => 'test' }.freeze
SERVICES = { 'iam' => Fog::AWS::IAM, 'sts' => Fog::AWS::STS }.freeze

def jsonable(value)
  case value
  when Hash then value.transform_values { |item| jsonable(item) }
  when Array then value.map { |item| jsonable(item) }
  when Time then value.utc.iso8601
  else value
  end
end

def dig(answers, reference)
  answer = answers.fetch(reference.fetch('from') { reference.fetch('$from') })
  raise ArgumentError, "#{reference} refers to a call that failed" unless answer['ok']

  reference.fetch('path', []).reduce(answer['body']) { |value, key| value.fetch(key) }
end

def resolve(value, answers)
  case value
  when Hash then value.key?('$from') ? dig(answers, value) : value.transform_values { |item| resolve(item, answers) }
  when Array then value.map { |item| resolve(item, answers) }
  else value
  end
end

def credentials(caller, answers)
  caller ||= ROOT
  if caller.key?('from')
    found = dig(answers, caller)
    caller = { 'accessKeyId' => found['AccessKeyId'], 'secretAccessKey' => found['SecretAccessKey'],
               'sessionToken' => found['SessionToken'] }
  end
  { aws_access_key_id: caller['accessKeyId'], aws_secret_access_key: caller['secretAccessKey'],
    aws_session_token: caller['sessionToken'] }
end

def service(call, answers)
  SERVICES.fetch(call.fetch('service')).new(
    host: ENDPOINT.host, port: ENDPOINT.port, scheme: ENDPOINT.scheme, **credentials(call['caller'], answers)
  )
end

def outcome(call, answers)
  client = service(call, answers)
  args = resolve(call.fetch('args', []), answers)
  if call.key?('collection')
    ids = []
    client.public_send(call['collection'], *args).each { |item| ids << item.identity }
    return { 'ok' => true, 'body' => ids }
  end
  { 'ok' => true, 'body' => jsonable(client.public_send(call.fetch('method'), *args).body) }
rescue Fog::Errors::Error, Excon::Error => e
  { 'ok' => false, 'errorClass' => e.class.name, 'message' => e.message }
end

answers = {}
JSON.parse($stdin.read).each { |call| answers[call.fetch('name')] = outcome(call, answers) }
puts JSON.generate(answers)
