# A client class of the AWS SDK for Ruby v3 built at run time from a botocore service model (JSON): the model's
# shapes and operations as aws-sdk-core's Seahorse shapes, on the generated clients' plugins with the protocol
# plugin of the model's protocol (query, json) and a fixed endpoint signed with SigV4 under the model's signing
# name (what the generated clients' endpoint-rules plugin would resolve for a custom endpoint).
#
# ModelClient.build(SERVICE, MODEL) -> a Seahorse::Client::Base subclass; its errors are classes of
# RubySdkModels::<SERVICE>::Errors (one per error code, as the generated clients' dynamic errors).
require 'aws-sdk-core'
require 'aws-sdk-core/plugins/protocols/json_rpc'

module RubySdkModels
  S = Seahorse::Model::Shapes

  SCALARS = {
    'string' => S::StringShape, 'integer' => S::IntegerShape, 'long' => S::IntegerShape,
    'boolean' => S::BooleanShape, 'double' => S::FloatShape, 'float' => S::FloatShape,
    'timestamp' => S::TimestampShape, 'blob' => S::BlobShape
  }.freeze

  PROTOCOLS = {
    'query' => Aws::Plugins::Protocols::Query,
    'json' => Aws::Plugins::Protocols::JsonRpc
  }.freeze

  NO_INPUT = S::ShapeRef.new(shape: S::StructureShape.new(struct_class: Aws::EmptyStructure))

  SERVICE_PLUGINS = [Aws::Plugins::Protocols::Query, Aws::STS::Plugins::Endpoints,
                     Aws::STS::Plugins::STSRegionalEndpoints].freeze
  # The generated STS client's plugins that are its own (its protocol and endpoint rules): the others are every
  # generated client's.

  # The generated clients' endpoint-rules step for a custom endpoint: the request goes to the configured endpoint
  # (Seahorse's endpoint plugin put it there), signed with SigV4 as the service in the client's region.
  class FixedEndpoint < Seahorse::Client::Plugin
    class Handler < Seahorse::Client::Handler
      def call(context)
        metadata = context.config.api.metadata
        context[:auth_scheme] = { 'name' => 'sigv4', 'signingRegion' => context.config.region,
                                  'signingName' => metadata['signingName'] || metadata['endpointPrefix'] }
        @handler.call(context)
      end
    end

    def add_handlers(handlers, _config)
      handlers.add(Handler, step: :build, priority: 75)
    end
  end

  module_function

  # A model's name as the generated clients' method and member names spell it (AssumeRole -> assume_role).
  def underscore(name)
    name.gsub(/([A-Z0-9]+)([A-Z][a-z])/, '\\1_\\2').gsub(/([a-z\d])([A-Z])/, '\\1_\\2').downcase.to_sym
  end

  def new_shape(name, definition)
    kind = definition.fetch('type')
    shape = case kind
            when 'structure' then S::StructureShape.new(name: name)
            when 'list' then S::ListShape.new(name: name, flattened: definition['flattened'])
            when 'map' then S::MapShape.new(name: name, flattened: definition['flattened'])
            else SCALARS.fetch(kind).new(name: name)
            end
    shape['timestampFormat'] = definition['timestampFormat'] if definition['timestampFormat']
    shape['jsonvalue'] = true if definition['jsonvalue']
    if definition['exception']
      shape['exception'] = true
      shape['error'] = definition['error'] if definition['error']
    end
    shape
  end

  def reference(shapes, definition)
    ref = S::ShapeRef.new(shape: shapes.fetch(definition.fetch('shape')))
    ref.location_name = definition['locationName'] if definition['locationName']
    ref.location = definition['location'] if definition['location']
    ref['timestampFormat'] = definition['timestampFormat'] if definition['timestampFormat']
    ref['idempotencyToken'] = true if definition['idempotencyToken']
    ref
  end

  def fill(shape, definition, shapes)
    case shape
    when S::StructureShape
      required = definition.fetch('required', [])
      definition.fetch('members').each do |member, member_definition|
        ref = reference(shapes, member_definition)
        ref.location_name ||= member
        ref.required = required.include?(member)
        shape.add_member(underscore(member), ref)
      end
      shape.struct_class = shape.member_names.empty? ? Aws::EmptyStructure : Aws::Structure.new(*shape.member_names)
    when S::ListShape then shape.member = reference(shapes, definition.fetch('member'))
    when S::MapShape
      shape.key = reference(shapes, definition.fetch('key'))
      shape.value = reference(shapes, definition.fetch('value'))
    end
  end

  def operation(name, definition, shapes)
    Seahorse::Model::Operation.new.tap do |built|
      built.name = name
      built.http_method = definition.dig('http', 'method') || 'POST'
      built.http_request_uri = definition.dig('http', 'requestUri') || '/'
      # An operation without input has an empty one, as the generated clients' (their plugins read it).
      built.input = definition['input'] ? reference(shapes, definition['input']) : NO_INPUT
      built.output = reference(shapes, definition['output']) if definition['output']
      definition.fetch('errors', []).each { |error| built.errors << reference(shapes, error) }
      built['authtype'] = definition['authtype'] if definition['authtype']
    end
  end

  def api(model)
    shapes = model.fetch('shapes').to_h { |name, definition| [name, new_shape(name, definition)] }
    model.fetch('shapes').each { |name, definition| fill(shapes[name], definition, shapes) }
    Seahorse::Model::Api.new.tap do |built|
      built.version = model.dig('metadata', 'apiVersion')
      built.metadata = model.fetch('metadata')
      model.fetch('operations').each do |name, definition|
        built.add_operation(underscore(name), operation(name, definition, shapes))
      end
    end
  end

  def errors_module(service)
    namespace = const_set(service.upcase, Module.new)
    namespace.const_set(:Errors, Module.new { extend Aws::Errors::DynamicErrors })
  end

  # The client class of `service` from its botocore `model` (a parsed service-2.json).
  def build(service, model)
    errors = errors_module(service)
    plugins = Aws::STS::Client.plugins - SERVICE_PLUGINS +
              [PROTOCOLS.fetch(model.dig('metadata', 'protocol')), FixedEndpoint]
    Seahorse::Client::Base.define(api: api(model), plugins: plugins).tap do |client|
      client.define_singleton_method(:errors_module) { errors }
      client.define_singleton_method(:identifier) { service.to_sym }
    end
  end
end
