import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSchema, type JSONSchemaProps } from './index.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';

const lines = (schema: unknown, opts?: Parameters<typeof validateSchema>[2]): string[] =>
  validateSchema(schema, P, opts).map((e) => `${e.field}: ${e.message}`);

/** A valid root with one property `a` of the given schema. */
const withA = (a: JSONSchemaProps): JSONSchemaProps => ({ type: 'object', properties: { a } });

const CRONTAB: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
      },
    },
  },
};

test('structural schema rules', () => {
  const cases: Record<string, { schema: unknown; want: string[] }> = {
    'the CronTab schema': { schema: CRONTAB, want: [] },
    'no schema': { schema: undefined, want: [`${P}: Required value: schemas are required`] },
    'a property without type': {
      schema: { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } },
      want: [`${P}.properties[spec].type: Required value: must not be empty for specified object fields`],
    },
    'a root without type': { schema: { properties: { a: { type: 'string' } } }, want: [`${P}.type: Required value: must not be empty at the root`] },
    'a root that is not an object': { schema: { type: 'string' }, want: [`${P}.type: Invalid value: "string": must be object at the root`] },
    'an array without items': { schema: withA({ type: 'array' }), want: [`${P}.properties[a].items: Required value: must be specified`] },
    'items without type': {
      schema: withA({ type: 'array', items: {} }),
      want: [`${P}.properties[a].items.type: Required value: must not be empty for specified array items`],
    },
    'int-or-string needs no type': { schema: withA({ 'x-kubernetes-int-or-string': true }), want: [] },
    'preserve-unknown-fields needs no type': { schema: withA({ 'x-kubernetes-preserve-unknown-fields': true }), want: [] },
    'additionalProperties at the root': {
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      want: [`${P}.additionalProperties: Forbidden: must not be used at the root`],
    },
    'additionalProperties with properties': {
      schema: withA({ type: 'object', properties: { x: { type: 'string' } }, additionalProperties: { type: 'string' } }),
      want: [`${P}.properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`],
    },
    'additionalProperties: true with properties is allowed': {
      schema: withA({ type: 'object', properties: { x: { type: 'string' } }, additionalProperties: true }),
      want: [],
    },
    'int-or-string with preserve-unknown-fields': {
      schema: withA({ 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true }),
      want: [`${P}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`],
    },
    'embedded resource without type': {
      schema: withA({ 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }),
      want: [`${P}.properties[a].type: Required value: must be object if x-kubernetes-embedded-resource is true`],
    },
    'embedded resource of type string': {
      schema: withA({ type: 'string', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true }),
      want: [`${P}.properties[a].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`],
    },
    'embedded resource without properties': {
      schema: withA({ type: 'object', 'x-kubernetes-embedded-resource': true }),
      want: [
        `${P}.properties[a].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      ],
    },
    'embedded kind must be a string': {
      schema: withA({ type: 'object', 'x-kubernetes-embedded-resource': true, properties: { kind: { type: 'integer' } } }),
      want: [`${P}.properties[a].properties[kind].type: Invalid value: "integer": must be string`],
    },
    'metadata may only restrict name and generateName': {
      schema: { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } },
      want: [`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`],
    },
    'metadata with a description': {
      schema: { type: 'object', properties: { metadata: { type: 'object', description: 'x' } } },
      want: [`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`],
    },
    'metadata restricting name and generateName': {
      schema: {
        type: 'object',
        properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 }, generateName: { type: 'string' } } } },
      },
      want: [],
    },
    'metadata of type string': {
      schema: { type: 'object', properties: { metadata: { type: 'string' } } },
      want: [`${P}.properties[metadata].type: Invalid value: "string": must be object`],
    },
    'type inside a value validation': {
      schema: withA({ type: 'string', anyOf: [{ type: 'string' }] }),
      want: [`${P}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`],
    },
    'the int-or-string anyOf pattern is allowed': {
      schema: withA({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }),
      want: [],
    },
    'everything a value validation may not carry': {
      schema: withA({
        type: 'string',
        allOf: [{ description: 'd', title: 't', nullable: true, default: 'x', 'x-kubernetes-list-type': 'set', additionalProperties: true }],
      }),
      want: [
        `${P}.properties[a].allOf[0].additionalProperties: Forbidden: must be undefined to be structural`,
        `${P}.properties[a].allOf[0].default: Forbidden: must be undefined to be structural`,
        `${P}.properties[a].allOf[0].description: Forbidden: must be empty to be structural`,
        `${P}.properties[a].allOf[0].nullable: Forbidden: must be false to be structural`,
        `${P}.properties[a].allOf[0].title: Forbidden: must be empty to be structural`,
        `${P}.properties[a].allOf[0].x-kubernetes-list-type: Forbidden: must be undefined to be structural`,
        // then the OpenAPI checks, which do look inside allOf
        `${P}.properties[a].allOf[0].type: Required value: must be array if x-kubernetes-list-type is specified`,
      ],
    },
    'value validations may only name specified fields; errors sorted': {
      schema: { type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ properties: { metadata: {} } }] },
      want: [
        `${P}.anyOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
        `${P}.properties[metadata]: Required value: because it is defined in ${P}.anyOf[0].properties[metadata]`,
      ],
    },
    'nullable at the root': {
      schema: { type: 'object', nullable: true },
      want: [`${P}.nullable: Forbidden: nullable cannot be true at the root`],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(c.schema), c.want, name);
});

test('unsupported keywords', () => {
  const TYPES = '"array", "boolean", "integer", "number", "object", "string"';
  const cases: Record<string, { schema: unknown; want: string[] }> = {
    $ref: { schema: withA({ type: 'string', $ref: '#/x' }), want: [`${P}.properties[a].$ref: Forbidden: $ref is not supported`] },
    uniqueItems: {
      schema: withA({ type: 'array', items: { type: 'string' }, uniqueItems: true }),
      want: [`${P}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`],
    },
    definitions: {
      schema: { type: 'object', definitions: { d: { type: 'string' } } },
      want: [`${P}.definitions: Forbidden: definitions is not supported`],
    },
    dependencies: {
      schema: { type: 'object', dependencies: { a: ['b'] } },
      want: [`${P}.dependencies: Forbidden: dependencies is not supported`],
    },
    patternProperties: {
      schema: withA({ type: 'object', patternProperties: { '^x': { type: 'string' } } }),
      want: [`${P}.properties[a].patternProperties: Forbidden: patternProperties is not supported`],
    },
    id: { schema: { type: 'object', id: 'x' }, want: [`${P}.id: Forbidden: id is not supported`] },
    'additionalItems': {
      schema: withA({ type: 'array', items: { type: 'string' }, additionalItems: false }),
      want: [`${P}.properties[a].additionalItems: Forbidden: additionalItems is not supported`],
    },
    '$schema (reported only by the structural conversion)': {
      schema: { type: 'object', $schema: 'http://json-schema.org/draft-04/schema#' },
      want: [`${P}: Invalid value: "": OpenAPIV3Schema 'schema' is not supported`],
    },
    'type null': {
      schema: withA({ type: 'null' }),
      want: [
        `${P}.properties[a].type: Unsupported value: "null": supported values: ${TYPES}`,
        `${P}.properties[a].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
      ],
    },
    'an unknown type': { schema: withA({ type: 'map' }), want: [`${P}.properties[a].type: Unsupported value: "map": supported values: ${TYPES}`] },
    'items as an array': {
      schema: withA({ type: 'array', items: [{ type: 'string' }] }),
      want: [`${P}.properties[a].items: Forbidden: items must be a schema object and not an array`],
    },
    'x-kubernetes-preserve-unknown-fields: false': {
      schema: withA({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false }),
      want: [`${P}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`],
    },
    'a field of the wrong JSON type (kube fails to decode it)': {
      schema: withA({ type: 5 as unknown as string }),
      want: [`${P}.properties[a].type: Invalid value: 5: json: cannot unmarshal number into Go struct field JSONSchemaProps.type of type string`],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(c.schema), c.want, name);
});

test('patterns must compile as Go regular expressions', () => {
  const cases: Record<string, { pattern: string; want?: string }> = {
    'the CronTab pattern': { pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
    'escaped punctuation': { pattern: '^[a-z0-9\\-\\.]+\\/\\#$' },
    'lazy and bounded repeats': { pattern: '^a*?b{2,3}c+?$' },
    'repeating an anchor is allowed in Go': { pattern: '^*a' },
    'a leading repeat': { pattern: '+', want: 'missing argument to repetition operator: `+`' },
    'a repeat after (': { pattern: '(*a)', want: 'missing argument to repetition operator: `*`' },
    'a nested repeat': { pattern: 'a**', want: 'invalid nested repetition operator: `**`' },
    'a nested lazy repeat': { pattern: 'a+?*', want: 'invalid nested repetition operator: `+?*`' },
    'an unclosed group': { pattern: '(abc', want: 'missing closing ): `(abc`' },
    'an unopened group': { pattern: 'abc)', want: 'unexpected ): `abc)`' },
    'an unclosed class': { pattern: 'x[a-', want: 'missing closing ]: `[a-`' },
    'a reversed range': { pattern: '[z-a]', want: 'invalid character class range: `z-a`' },
    'an unknown POSIX class': { pattern: '[[:foo:]]', want: 'invalid character class range: `[:foo:]`' },
    'lookahead': { pattern: '(?=x)', want: 'invalid or unsupported Perl syntax: `(?=`' },
    'a backreference': { pattern: '(a)\\1', want: 'invalid escape sequence: `\\1`' },
    'an unknown escape': { pattern: '\\q', want: 'invalid escape sequence: `\\q`' },
    'an unknown Unicode class': { pattern: '\\p{Foo}', want: 'invalid character class range: `\\p{Foo}`' },
    'a repeat count over 1000': { pattern: 'a{1001}', want: 'invalid repeat count: `{1001}`' },
    'a trailing backslash': { pattern: 'a\\', want: 'trailing backslash at end of expression: ``' },
  };
  for (const [name, c] of Object.entries(cases)) {
    const want = c.want
      ? [`${P}.properties[a].pattern: Invalid value: ${JSON.stringify(c.pattern)}: must be a valid regular expression, but isn't: error parsing regexp: ${c.want}`]
      : [];
    assert.deepEqual(lines(withA({ type: 'string', pattern: c.pattern })), want, name);
  }
});

test('list and map types', () => {
  const item = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
  const cases: Record<string, { a: JSONSchemaProps; want: string[] }> = {
    'a valid map list': { a: { type: 'array', items: item, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }, want: [] },
    'an unknown list type': {
      a: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' },
      want: [`${P}.properties[a].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`],
    },
    'a list type on an object': {
      a: { type: 'object', 'x-kubernetes-list-type': 'set' },
      want: [`${P}.properties[a].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`],
    },
    'a map list without keys': {
      a: { type: 'array', items: item, 'x-kubernetes-list-type': 'map' },
      want: [`${P}.properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`],
    },
    'keys without the map list type': {
      a: { type: 'array', items: item, 'x-kubernetes-list-map-keys': ['name'] },
      want: [`${P}.properties[a].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`],
    },
    'a key that is not an item property': {
      a: { type: 'array', items: item, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['nme'] },
      want: [`${P}.properties[a].x-kubernetes-list-map-keys: Invalid value: []string{"nme"}: entries must all be names of item properties`],
    },
    'a key neither required nor defaulted': {
      a: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' } } },
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      },
      want: [
        `${P}.properties[a].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
      ],
    },
    'map list items of type string': {
      a: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
      want: [`${P}.properties[a].items.type: Invalid value: "string": must be object if parent array's x-kubernetes-list-type is map`],
    },
    'set items must be atomic objects': {
      a: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' } } }, 'x-kubernetes-list-type': 'set' },
      want: [`${P}.properties[a].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set`],
    },
    'set items may not be nullable': {
      a: { type: 'array', items: { type: 'string', nullable: true }, 'x-kubernetes-list-type': 'set' },
      want: [`${P}.properties[a].items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set`],
    },
    'an unknown map type': {
      a: { type: 'object', 'x-kubernetes-map-type': 'x' },
      want: [`${P}.properties[a].x-kubernetes-map-type: Unsupported value: "x": supported values: "atomic", "granular"`],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(withA(c.a)), c.want, name);
});

test('defaults must validate and be pruned', () => {
  const spec = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
    type: 'object',
    properties: { spec: { type: 'object', properties, ...extra } },
  });
  const S = `${P}.properties[spec]`;
  const cases: Record<string, { schema: JSONSchemaProps; want: string[] }> = {
    'a valid default': { schema: spec({ replicas: { type: 'integer', default: 1 } }), want: [] },
    // The default is validated on its own, so its name in the message is "" (kube's double space).
    'a default of the wrong type': {
      schema: spec({ replicas: { type: 'integer', default: 'x' } }),
      want: [`${S}.properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`],
    },
    'a default over the maximum': {
      schema: spec({ replicas: { type: 'integer', maximum: 10, default: 20 } }),
      want: [`${S}.properties[replicas].default: Invalid value: 20:  in body should be less than or equal to 10`],
    },
    'a default with unknown fields': {
      schema: spec({ a: { type: 'string' } }, { default: { a: 'x', b: 1 } }),
      want: [`${S}.default: Invalid value: map[string]interface {}{"a":"x", "b":1}: must not have unknown fields`],
    },
    'a default missing a required field': {
      schema: spec({ a: { type: 'string' } }, { default: {}, required: ['a'] }),
      want: [`${S}.default.a: Required value`],
    },
    'defaults in top-level metadata': {
      schema: { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', default: 'x' } } } } },
      want: [`${P}.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata`],
    },
    'a default in an embedded resource metadata': {
      schema: spec({
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { type: 'object', properties: { name: { type: 'string', default: 'a/b' } } },
          },
        },
      }),
      want: [
        `${S}.properties[template].properties[metadata].properties[name].default: Invalid value: "a/b": must result in valid metadata: metadata.name: Invalid value: "a/b": may not contain '/'`,
      ],
    },
    'an embedded resource default must carry apiVersion and kind': {
      schema: spec({
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true, default: {} },
      }),
      want: [
        `${S}.properties[template].default.apiVersion: Required value: must not be empty`,
        `${S}.properties[template].default.kind: Required value: must not be empty`,
      ],
    },
    'structural errors suppress the default checks': {
      schema: spec({ a: { default: 'x' }, b: { type: 'integer', default: 'y' } }),
      want: [`${S}.properties[a].type: Required value: must not be empty for specified object fields`],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(c.schema), c.want, name);
});

test('x-kubernetes-validations: static checks only', () => {
  const cases: Record<string, { rules: unknown[]; want: string[] }> = {
    'a rule': { rules: [{ rule: 'self.a > 0' }], want: [] },
    'no rule': { rules: [{ rule: ' ' }], want: [`${P}.x-kubernetes-validations[0].rule: Required value: rule is not specified`] },
    'a multi-line rule needs a message': {
      rules: [{ rule: 'a ||\nb' }],
      want: [`${P}.x-kubernetes-validations[0].message: Required value: message must be specified if rule contains line breaks`],
    },
    'an unknown reason': {
      rules: [{ rule: 'true', reason: 'Bad' }],
      want: [
        `${P}.x-kubernetes-validations[0].reason: Unsupported value: "Bad": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    assert.deepEqual(lines({ type: 'object', 'x-kubernetes-validations': c.rules }), c.want, name);
  }
});

test('a root with the status subresource', () => {
  assert.deepEqual(lines({ type: 'object' }, { statusSubresource: true }), []);
  const [err] = validateSchema({ type: 'object', minProperties: 1 }, P, { statusSubresource: true });
  assert.equal(err.field, P);
  assert.match(
    err.message,
    /: only \[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/,
  );
});
