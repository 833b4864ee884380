# Ruby's standalone SigV4 signer driven by JSON: run as `ruby ruby_driver.rb ENDPOINT`, it reads one JSON array of
# requests on stdin, sends them in order and prints one JSON object: each request's name -> its answer.
#
# A request: {"name", "signer": "aws-sigv4" (Aws::Sigv4::Signer#sign_request, sent with Net::HTTP) | "faraday"
#             (Faraday with faraday_middleware-aws-sigv4's :aws_sigv4 middleware), "service", "region", "method",
#             "path", "query": [[K, V]...] (URI.encode_www_form for aws-sigv4, a space as '+'; Faraday's params for
#             faraday), "form": [[K, V]...] (a url-encoded POST body), "json" (a raw POST body), "headers":
#             [[K, V]...], "credentials": {"accessKeyId", "secretAccessKey", "sessionToken"} or {"from": NAME} (the
#             Credentials of an earlier STS answer), "presign": SECONDS (aws-sigv4's presign_url, then a GET with
#             the request's headers), "options": {signer options, e.g. "apply_checksum_header": false}}.
# An answer: {"status", "contentType", "body"} (status 0: the driver failed, body says why).
require 'json'
require 'net/http'
require 'uri'
require 'aws-sigv4'

endpoint = URI(ARGV.fetch(0))
ROOT = {'accessKeyId' => 'test', 'secretAccessKey' => 'test'}.freeze
answers = {}

credentials = lambda do |given|
  next ROOT unless given
  next given unless given['from']
  found = answers.fetch(given['from'])['body'][%r{<Credentials>(.*)</Credentials>}m, 1] or raise "no credentials"
  tag = ->(name) { found[%r{<#{name}>([^<]*)</#{name}>}, 1] }
  {'accessKeyId' => tag.('AccessKeyId'), 'secretAccessKey' => tag.('SecretAccessKey'),
   'sessionToken' => tag.('SessionToken')}
end

signer_options = lambda do |call, keys|
  options = {service: call['service'], region: call['region'] || 'us-east-1', access_key_id: keys['accessKeyId'],
             secret_access_key: keys['secretAccessKey'], session_token: keys['sessionToken']}
  (call['options'] || {}).each { |name, value| options[name.to_sym] = value }
  options
end

body_of = lambda do |call|
  return URI.encode_www_form(call['form']) if call['form']
  call['json']
end

answer = ->(response) { {'status' => response.code.to_i, 'contentType' => response['Content-Type'],
                         'body' => response.body.to_s.force_encoding('UTF-8')} }

with_sigv4 = lambda do |call, keys|
  url = URI("#{endpoint}#{call['path'] || '/'}")
  url.query = URI.encode_www_form(call['query']) if call['query']
  body = body_of.(call)
  method = call['method'] || (body ? 'POST' : 'GET')
  headers = (call['headers'] || []).to_h
  headers['Content-Type'] ||= 'application/x-www-form-urlencoded; charset=utf-8' if call['form']
  signer = Aws::Sigv4::Signer.new(**signer_options.(call, keys))
  if call['presign']
    url = signer.presign_url(http_method: method, url: url, headers: headers, expires_in: call['presign'])
  else
    headers = headers.merge(signer.sign_request(http_method: method, url: url.to_s, headers: headers,
                                                body: body || '').headers)
  end
  request = Net::HTTPGenericRequest.new(method, !body.nil?, true, url.request_uri, headers)
  request.body = body if body
  Net::HTTP.start(url.host, url.port, open_timeout: 30, read_timeout: 30) { |http| answer.(http.request(request)) }
end

with_faraday = lambda do |call, keys|
  require 'faraday'
  require 'faraday_middleware/aws_sigv4'
  connection = Faraday.new(url: endpoint.to_s) do |faraday|
    faraday.request :aws_sigv4, **signer_options.(call, keys)
    faraday.adapter Faraday.default_adapter
  end
  body = call['form'] ? URI.encode_www_form(call['form']) : call['json']
  method = (call['method'] || (body ? 'POST' : 'GET')).downcase.to_sym
  response = connection.run_request(method, call['path'] || '/', body, (call['headers'] || []).to_h) do |request|
    (call['query'] || []).each { |name, value| request.params[name] = value }
    request.headers['Content-Type'] ||= 'application/x-www-form-urlencoded; charset=utf-8' if call['form']
  end
  {'status' => response.status, 'contentType' => response.headers['Content-Type'],
   'body' => response.body.to_s.force_encoding('UTF-8')}
end

SIGNERS = {'aws-sigv4' => with_sigv4, 'faraday' => with_faraday}.freeze

JSON.parse($stdin.read).each do |call|
  answers[call['name']] = begin
    SIGNERS.fetch(call['signer']).(call, credentials.(call['credentials']))
  rescue StandardError, ScriptError => error
    {'status' => 0, 'contentType' => nil, 'body' => "driver: #{error.class}: #{error.message}"}
  end
end
puts JSON.generate(answers)
