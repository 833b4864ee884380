# The AWS SDK for Ruby v3 (aws-sdk-core, as the distribution packages it) driven by JSON: run as
# `ruby driver.rb ENDPOINT`, it reads one JSON request a line on stdin and prints one JSON answer a line.
# Its STS client is the SDK's generated one until models replace it (IAM, ECR and App Runner come only so).
#
# A call:     {"service", "operation", "input", "caller"}  -> the SDK client's method of the operation, called with
#             `input` (botocore's member names, converted to the SDK's through its model), signed with `caller`'s
#             keys ({"accessKeyId", "secretAccessKey", "sessionToken"}; null: the root's "test" keys; false:
#             unsigned), no retries.
# A provider: {"provider": "AssumeRoleCredentials" | "AssumeRoleWebIdentityCredentials", "input", "caller",
#              "tokenFile"} -> the SDK's credential provider built from `input` (the operation's members), then
#             GetCallerIdentity signed with the credentials it provides.
# Models:    {"models": {SERVICE: PATH}} -> clients of those services built from botocore's service models (JSON files;
#             model_client.rb) for the calls that follow; answers {"ok": true, "services": [...]}.
# An answer:  {"ok": true, "status", "requestId", "output"} (output in botocore's member names) or
#             {"ok": false, "status", "requestId", "code", "message", "errorClass", "members"} (status 0 and code
#             "ArgumentError": the SDK refused the input before sending it); a provider's answer adds
#             "expiration" and "accessKeyId" of the credentials it holds.
# Values travel as JSON: a timestamp as {"$date": EPOCH_MS}, a blob as {"$blob": BASE64}.
require 'aws-sdk-core'
require 'base64'
require 'json'
require_relative 'model_client'

ENDPOINT = ARGV.fetch(0)
REGION = 'us-east-1'
ROOT = { 'accessKeyId' => 'test', 'secretAccessKey' => 'test' }.freeze
CLIENTS = { 'sts' => Aws::STS::Client }
PROVIDERS = {
  'AssumeRoleCredentials' => Aws::AssumeRoleCredentials,
  'AssumeRoleWebIdentityCredentials' => Aws::AssumeRoleWebIdentityCredentials
}.freeze
S = Seahorse::Model::Shapes

def credentials_of(caller)
  return false if caller == false

  caller ||= ROOT
  Aws::Credentials.new(caller['accessKeyId'], caller['secretAccessKey'], caller['sessionToken'])
end

def client(service, credentials)
  CLIENTS.fetch(service).new(region: REGION, endpoint: ENDPOINT, credentials: credentials, retry_limit: 0)
end

def member_key(name, ref)
  ref.location_name || name.to_s
end

# botocore's value of `ref`'s shape -> the SDK's parameter value.
def to_sdk(ref, value)
  shape = ref.shape
  case shape
  when S::StructureShape
    names = shape.members.to_h { |name, member| [member_key(name, member), [name, member]] }
    value.to_h do |key, item|
      name, member = names.fetch(key) { raise ArgumentError, "#{shape.name} has no member #{key}" }
      [name, to_sdk(member, item)]
    end
  when S::ListShape then value.map { |item| to_sdk(shape.member, item) }
  when S::MapShape then value.transform_values { |item| to_sdk(shape.value, item) }
  when S::TimestampShape then Time.at(Rational(value.fetch('$date'), 1000)).utc
  when S::BlobShape then Base64.strict_decode64(value.fetch('$blob'))
  else value
  end
end

# The SDK's value of `ref`'s shape -> botocore's (members it left nil are absent).
def from_sdk(ref, value)
  shape = ref&.shape
  case value
  when Struct
    shape.members.each_with_object({}) do |(name, member), out|
      item = value[name]
      out[member_key(name, member)] = from_sdk(member, item) unless item.nil?
    end
  when Array then value.map { |item| from_sdk(shape&.member, item) }
  when Hash then value.transform_values { |item| from_sdk(shape&.value, item) }
  when Time then { '$date' => (value.to_r * 1000).round }
  when StringIO, IO then { '$blob' => Base64.strict_encode64(value.read) }
  else shape.is_a?(S::BlobShape) ? { '$blob' => Base64.strict_encode64(value) } : value
  end
end

def request_id(context)
  context[:request_id] || context.http_response.headers['x-amzn-requestid']
end

# A service's error: its class, code, message and (a modeled error of the operation) members.
def refused(error)
  context = error.context
  modeled = context.operation.errors.find { |ref| ref.shape.name == error.code }
  members = modeled && error.data.is_a?(Struct) ? from_sdk(modeled, error.data) : {}
  { 'ok' => false, 'status' => context.http_response.status_code, 'requestId' => request_id(context),
    'code' => error.code, 'message' => error.message, 'errorClass' => error.class.name, 'members' => members }
end

def operation_of(client, name)
  client.class.api.operations.find { |_, operation| operation.name == name } or
    raise ArgumentError, "no operation #{name}"
end

def call(request)
  sdk = client(request.fetch('service'), credentials_of(request['caller']))
  method, operation = operation_of(sdk, request.fetch('operation'))
  params = operation.input ? to_sdk(operation.input, request.fetch('input', {})) : {}
  response = sdk.public_send(method, params)
  { 'ok' => true, 'status' => response.context.http_response.status_code,
    'requestId' => request_id(response.context),
    'output' => operation.output ? from_sdk(operation.output, response.data) : {} }
rescue Aws::Errors::ServiceError => e
  refused(e)
rescue ArgumentError => e # the SDK refused the input itself (or has no such operation or member)
  { 'ok' => false, 'status' => 0, 'code' => 'ArgumentError', 'message' => e.message, 'errorClass' => e.class.name }
end

def provided(request)
  kind = request.fetch('provider')
  input = request.fetch('input')
  operation = kind == 'AssumeRoleCredentials' ? 'AssumeRole' : 'AssumeRoleWithWebIdentity'
  sts = client('sts', credentials_of(kind == 'AssumeRoleCredentials' ? request['caller'] : false))
  _, model = operation_of(sts, operation)
  options = to_sdk(model.input, input).merge(client: sts)
  options[:web_identity_token_file] = request['tokenFile'] if request['tokenFile']
  provider = PROVIDERS.fetch(kind).new(**options)
  identity = client('sts', provider).get_caller_identity
  _, model = operation_of(sts, 'GetCallerIdentity')
  { 'ok' => true, 'status' => identity.context.http_response.status_code,
    'requestId' => request_id(identity.context), 'output' => from_sdk(model.output, identity.data),
    'expiration' => from_sdk(nil, provider.expiration), 'accessKeyId' => provider.credentials.access_key_id }
rescue Aws::Errors::ServiceError => e
  refused(e)
end

def load_models(request)
  request.fetch('models').each do |service, path|
    CLIENTS[service] = RubySdkModels.build(service, JSON.parse(File.read(path)))
  end
  { 'ok' => true, 'services' => CLIENTS.keys.sort }
end

def answer(request)
  return load_models(request) if request.key?('models')
  return provided(request) if request.key?('provider')

  call(request)
end

$stdout.sync = true
$stdin.each_line do |line|
  answer = begin
    answer(JSON.parse(line))
  rescue StandardError => e # a bug of the driver's or the SDK's: reported as the request's answer
    { 'ok' => false, 'status' => 0, 'code' => 'DriverError', 'message' => "#{e.class}: #{e.message}",
      'errorClass' => e.class.name, 'backtrace' => e.backtrace.first(5) }
  end
  puts JSON.generate(answer)
end
