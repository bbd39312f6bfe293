import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject, type JSONSchemaProps } from './index.js';

/** kubectl prints each cause as `* <field>: <message>`. */
const lines = (schema: JSONSchemaProps, obj: unknown, opts?: Parameters<typeof validateObject>[2]): string[] =>
  validateObject(schema, obj, opts).map((e) => `${e.field}: ${e.message}`);

const object = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties,
  ...extra,
});

// The CronTab of https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/
const CRONTAB: JSONSchemaProps = object({
  spec: object(
    {
      cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
      image: { type: 'string' },
      replicas: { type: 'integer', minimum: 1, maximum: 10 },
    },
    { required: ['cronSpec'] },
  ),
});
const crontab = (spec: Record<string, unknown>): unknown => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'my-new-cron-object' },
  spec,
});

test('CronTab from the Kubernetes docs', () => {
  const cases: Record<string, { spec: Record<string, unknown>; want: string[] }> = {
    valid: { spec: { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 5 }, want: [] },
    'the docs invalid example: bad cronSpec, replicas 15': {
      spec: { cronSpec: '* * * *', image: 'my-awesome-cron-image', replicas: 15 },
      want: [
        "spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
        'spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10',
      ],
    },
    'replicas below the minimum': {
      spec: { cronSpec: '* * * * *', replicas: 0 },
      want: ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'],
    },
    'replicas is a string': {
      spec: { cronSpec: '* * * * *', replicas: 'string' },
      want: ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'],
    },
    'replicas is a float': {
      spec: { cronSpec: '* * * * *', replicas: 1.5 },
      want: ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"'],
    },
    'cronSpec is missing': { spec: { image: 'x' }, want: ['spec.cronSpec: Required value'] },
    'image is null': {
      spec: { cronSpec: '* * * * *', image: null },
      want: ['spec.image: Invalid value: "null": spec.image in body must be of type string: "null"'],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(CRONTAB, crontab(c.spec)), c.want, name);
  assert.deepEqual(lines(CRONTAB, { spec: 'x' }), ['spec: Invalid value: "string": spec in body must be of type object: "string"']);
});

test('error types are the causes kube reports', () => {
  const types = (schema: JSONSchemaProps, obj: unknown): string[] => validateObject(schema, obj).map((e) => e.type);
  assert.deepEqual(types(CRONTAB, crontab({ replicas: 'x' })), ['FieldValueTypeInvalid', 'FieldValueRequired']);
  assert.deepEqual(types(object({ f: { type: 'string', enum: ['a'] } }), { f: 'b' }), ['FieldValueNotSupported']);
  assert.deepEqual(types(object({ f: { type: 'string', maxLength: 1 } }), { f: 'ab' }), ['FieldValueTooLong']);
  assert.deepEqual(types(object({ f: { type: 'array', items: { type: 'string' }, maxItems: 1 } }), { f: ['a', 'b'] }), ['FieldValueTooMany']);
  assert.deepEqual(types(object({ f: { type: 'integer', maximum: 1 } }), { f: 2 }), ['FieldValueInvalid']);
});

test('types and nullable', () => {
  const cases: Record<string, { schema: JSONSchemaProps; value: unknown; want: string[] }> = {
    'number accepts an integer': { schema: { type: 'number' }, value: 3, want: [] },
    'boolean rejects a string': {
      schema: { type: 'boolean' },
      value: 'true',
      want: ['f: Invalid value: "string": f in body must be of type boolean: "string"'],
    },
    'array rejects an object': {
      schema: { type: 'array', items: { type: 'string' } },
      value: {},
      want: ['f: Invalid value: "object": f in body must be of type array: "object"'],
    },
    'object rejects an array': {
      schema: { type: 'object' },
      value: [],
      want: ['f: Invalid value: "array": f in body must be of type object: "array"'],
    },
    'integer rejects a boolean': {
      schema: { type: 'integer' },
      value: true,
      want: ['f: Invalid value: "boolean": f in body must be of type integer: "boolean"'],
    },
    'null where not nullable': {
      schema: { type: 'object' },
      value: null,
      want: ['f: Invalid value: "null": f in body must be of type object: "null"'],
    },
    'null where nullable': { schema: { type: 'object', nullable: true }, value: null, want: [] },
    // kube-openapi checks enum on null too, and null never matches an enum entry.
    'null where nullable, with an enum': {
      schema: { type: 'string', nullable: true, enum: ['a', 'b'] },
      value: null,
      want: ['f: Unsupported value: null: supported values: "a", "b"'],
    },
    'no type with preserve-unknown-fields accepts anything': {
      schema: { 'x-kubernetes-preserve-unknown-fields': true },
      value: [1, { a: 'b' }],
      want: [],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(object({ f: c.schema }), { f: c.value }), c.want, name);
});

test('enum and required (kube-apiserver validation_test.go expectations)', () => {
  const schema = object({
    field: object(
      {
        nestedint: { type: 'integer', enum: [1, 2] },
        nestedstring: { type: 'string', enum: ['a', 'b'] },
      },
      { required: ['nestedint', 'nestedstring'] },
    ),
  });
  const cases: Record<string, { obj: unknown; want: string[] }> = {
    'both missing': { obj: { field: {} }, want: ['field.nestedint: Required value', 'field.nestedstring: Required value'] },
    'wrong types and values': {
      obj: { field: { nestedint: 'x', nestedstring: true } },
      want: [
        'field.nestedint: Invalid value: "string": field.nestedint in body must be of type integer: "string"',
        'field.nestedint: Unsupported value: "x": supported values: "1", "2"',
        'field.nestedstring: Invalid value: "boolean": field.nestedstring in body must be of type string: "boolean"',
        'field.nestedstring: Unsupported value: true: supported values: "a", "b"',
      ],
    },
    valid: { obj: { field: { nestedint: 2, nestedstring: 'a' } }, want: [] },
    // go-openapi converts the value to the enum entry's Go type before comparing: int64(1.5) == 1.
    'a float matches an integer entry after conversion': {
      obj: { field: { nestedint: 1.5, nestedstring: 'a' } },
      want: ['field.nestedint: Invalid value: "number": field.nestedint in body must be of type integer: "number"'],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(schema, c.obj), c.want, name);
  assert.deepEqual(lines(object({ f: { type: 'object', enum: [{ a: 1 }] } }), { f: { a: 2 } }), [
    'f: Unsupported value: map[string]interface {}{"a":2}: supported values: "{\\"a\\":1}"',
  ]);
});

test('strings: lengths, patterns and formats', () => {
  const cases: Record<string, { schema: JSONSchemaProps; value: string; want: string[] }> = {
    'maxLength (upstream: Too long, in bytes, though runes are counted)': {
      schema: { type: 'string', maxLength: 2 },
      value: 'abc',
      want: ['f: Too long: may not be more than 2 bytes'],
    },
    'maxLength counts runes': { schema: { type: 'string', maxLength: 2 }, value: 'éé', want: [] },
    minLength: {
      schema: { type: 'string', minLength: 3 },
      value: 'ab',
      want: ['f: Invalid value: "ab": f in body should be at least 3 chars long'],
    },
    'maxLength wins over pattern': { schema: { type: 'string', maxLength: 1, pattern: '^x$' }, value: 'ab', want: ['f: Too long: may not be more than 1 bytes'] },
    'invalid pattern at runtime (upstream wording)': {
      schema: { type: 'string', pattern: '+' },
      value: 'foo',
      want: ["f: Invalid value: \"foo\": f in body should match '+, but pattern is invalid: error parsing regexp: missing argument to repetition operator: `+`'"],
    },
    'Go dot does not match a newline': { schema: { type: 'string', pattern: '^a.c$' }, value: 'a\nc', want: ["f: Invalid value: \"a\\nc\": f in body should match '^a.c$'"] },
    'Go dot matches a carriage return': { schema: { type: 'string', pattern: '^a.c$' }, value: 'a\rc', want: [] },
    'Go \\s excludes \\v': { schema: { type: 'string', pattern: '^\\s$' }, value: '\v', want: ["f: Invalid value: \"\\v\": f in body should match '^\\s$'"] },
    '(?i) flag': { schema: { type: 'string', pattern: '(?i)^abc$' }, value: 'ABC', want: [] },
    'scoped (?i:…)': { schema: { type: 'string', pattern: '^(?i:a)b$' }, value: 'AB', want: ["f: Invalid value: \"AB\": f in body should match '^(?i:a)b$'"] },
    '\\Q…\\E literal': { schema: { type: 'string', pattern: '^\\Qa.b\\E$' }, value: 'axb', want: ["f: Invalid value: \"axb\": f in body should match '^\\Qa.b\\E$'"] },
    'POSIX class': { schema: { type: 'string', pattern: '^[[:alpha:]]+$' }, value: 'abc', want: [] },
    'Unicode script': { schema: { type: 'string', pattern: '^\\p{Greek}+$' }, value: 'αβγ', want: [] },
    'named group': { schema: { type: 'string', pattern: '^(?P<year>\\d{4})$' }, value: '2024', want: [] },
    'a brace that is not a repeat is literal': { schema: { type: 'string', pattern: '^x{$' }, value: 'x{', want: [] },
    'unanchored patterns search': { schema: { type: 'string', pattern: 'b+' }, value: 'abba', want: [] },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(object({ f: c.schema }), { f: c.value }), c.want, name);
});

test('formats kube checks', () => {
  const cases: Record<string, { format: string; good: string[]; bad: string[] }> = {
    date: { format: 'date', good: ['2024-02-29'], bad: ['2023-02-29', '2024-1-01', '2024-13-01'] },
    'date-time': { format: 'date-time', good: ['2024-01-02T03:04:05Z', '2024-01-02t03:04:05.5+01:00'], bad: ['2024-01-02 03:04:05', '2024-01-02T24:00:00Z'] },
    duration: { format: 'duration', good: ['1h30m', '-1.5s', '0', '3 days', '1 week'], bad: ['soon', '1x', ''] },
    email: { format: 'email', good: ['a@b.com', 'Jane <jane@example.com>', '"x y"@b.c'], bad: ['not-an-email', 'a@', '@b', 'a..b@c'] },
    hostname: { format: 'hostname', good: ['example.com', 'localhost', 'münchen.de'], bad: ['-bad-', 'a_b.com', `${'a'.repeat(64)}.com`] },
    ipv4: { format: 'ipv4', good: ['10.0.0.1', '010.0.0.1', '::ffff:1.2.3.4'], bad: ['10.0.0', '256.0.0.1', '::1'] },
    ipv6: { format: 'ipv6', good: ['::1', '2001:db8::1', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8'], bad: ['1.2.3.4', '2001:db8:::1', '1:2:3:4:5:6:7::8', '::ffff:01.2.3.4'] },
    cidr: { format: 'cidr', good: ['10.0.0.0/8', '::/0', '010.0.0.0/8'], bad: ['10.0.0.0/33', '10.0.0.0', '::/129'] },
    mac: { format: 'mac', good: ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E', '0000.5e00.5301'], bad: ['00:1a:2b:3c:4d', '00:1a-2b:3c:4d:5e', 'zz:1a:2b:3c:4d:5e'] },
    uuid: { format: 'uuid', good: ['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'], bad: ['xyz'] },
    uuid4: { format: 'uuid4', good: ['123e4567-e89b-42d3-a456-426614174000'], bad: ['123e4567-e89b-12d3-a456-426614174000'] },
    uri: { format: 'uri', good: ['https://example.com/x?y=1', '/relative', 'mailto:a@b.c', '*'], bad: ['example.com', 'http://a b', '/%zz', ''] },
    byte: { format: 'byte', good: ['aGVsbG8=', 'aGVsbG8h'], bad: ['hello!', ''] },
    isbn: { format: 'isbn', good: ['0321751043', '978-0321751041'], bad: ['0321751044'] },
    creditcard: { format: 'creditcard', good: ['4111 1111 1111 1111'], bad: ['4111 1111 1111 1112'] },
    ssn: { format: 'ssn', good: ['123-45-6789'], bad: ['123456789'] },
    hexcolor: { format: 'hexcolor', good: ['#fff', 'A0B1C2'], bad: ['#ffff'] },
    rgbcolor: { format: 'rgbcolor', good: ['rgb(0, 128, 255)'], bad: ['rgb(256,0,0)'] },
    bsonobjectid: { format: 'bsonobjectid', good: ['507f1f77bcf86cd799439011'], bad: ['507f1f77'] },
    password: { format: 'password', good: ['', 'anything'], bad: [] },
    'unsupported formats are dropped (int32 on a string)': { format: 'int32', good: ['abc'], bad: [] },
  };
  for (const [name, c] of Object.entries(cases)) {
    const schema = object({ f: { type: 'string', format: c.format } });
    for (const v of c.good) assert.deepEqual(lines(schema, { f: v }), [], `${name}: ${JSON.stringify(v)} is valid`);
    for (const v of c.bad) {
      assert.deepEqual(
        lines(schema, { f: v }),
        [`f: Invalid value: ${JSON.stringify(v)}: f in body must be of type ${c.format}: ${JSON.stringify(v)}`],
        `${name}: ${JSON.stringify(v)} is invalid`,
      );
    }
  }
  // A format on a non-string value is a type question (go-openapi's type validator).
  assert.deepEqual(lines(object({ f: { type: 'integer', format: 'int64' } }), { f: 5 }), []);
  assert.deepEqual(lines(object({ f: { type: 'string', format: 'date' } }), { f: 5 }), [
    'f: Invalid value: "int64": f in body must be of type date: "int64"',
  ]);
});

test('numbers', () => {
  const cases: Record<string, { schema: JSONSchemaProps; value: number; want: string[] }> = {
    'exclusiveMaximum': {
      schema: { type: 'integer', maximum: 10, exclusiveMaximum: true },
      value: 10,
      want: ['f: Invalid value: 10: f in body should be less than 10'],
    },
    'exclusiveMinimum': {
      schema: { type: 'integer', minimum: 1, exclusiveMinimum: true },
      value: 1,
      want: ['f: Invalid value: 1: f in body should be greater than 1'],
    },
    'float maximum': {
      schema: { type: 'number', maximum: 1.5 },
      value: 2.5,
      want: ['f: Invalid value: 2.5: f in body should be less than or equal to 1.5'],
    },
    'floats print as Go %v': {
      schema: { type: 'number', maximum: 1000000 },
      value: 1000000.5,
      want: ['f: Invalid value: 1.0000005e+06: f in body should be less than or equal to 1e+06'],
    },
    'integer values compare with the truncated bound': {
      schema: { type: 'integer', maximum: 10.5 },
      value: 11,
      want: ['f: Invalid value: 11: f in body should be less than or equal to 10'],
    },
    'multipleOf on integers': {
      schema: { type: 'integer', multipleOf: 5 },
      value: 12,
      want: ['f: Invalid value: 12: f in body should be a multiple of 5'],
    },
    'multipleOf on floats tolerates rounding': { schema: { type: 'number', multipleOf: 0.1 }, value: 0.3, want: [] },
    'multipleOf on floats': {
      schema: { type: 'number', multipleOf: 0.1 },
      value: 0.35,
      want: ['f: Invalid value: 0.35: f in body should be a multiple of 0.1'],
    },
    'minimum and maximum both reported, minimum first': {
      schema: { type: 'integer', minimum: 5, maximum: 1, multipleOf: 2 },
      value: 3,
      want: [
        'f: Invalid value: 3: f in body should be a multiple of 2',
        'f: Invalid value: 3: f in body should be greater than or equal to 5',
        'f: Invalid value: 3: f in body should be less than or equal to 1',
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(object({ f: c.schema }), { f: c.value }), c.want, name);
});

test('arrays and objects', () => {
  const cases: Record<string, { schema: JSONSchemaProps; value: unknown; want: string[] }> = {
    minItems: {
      schema: { type: 'array', items: { type: 'string' }, minItems: 1 },
      value: [],
      want: ['f: Invalid value: 0: f in body should have at least 1 items'],
    },
    'maxItems (upstream)': {
      schema: { type: 'array', items: { type: 'string' }, maxItems: 2 },
      value: ['a', 'b', 'c'],
      want: ['f: Too many: 3: must have at most 2 items'],
    },
    'items are validated by index': {
      schema: { type: 'array', items: { type: 'string' } },
      value: [1, 'a'],
      want: ['f[0]: Invalid value: "integer": f[0] in body must be of type string: "integer"'],
    },
    'nested objects in items': {
      schema: { type: 'array', items: object({ name: { type: 'string' } }, { required: ['name'] }) },
      value: [{}, { name: 'x' }],
      want: ['f[0].name: Required value'],
    },
    minProperties: {
      schema: { type: 'object', minProperties: 2, 'x-kubernetes-preserve-unknown-fields': true },
      value: { a: 1 },
      want: ['f: Invalid value: 1: f in body should have at least 2 properties'],
    },
    'maxProperties (upstream)': {
      schema: { type: 'object', maxProperties: 2, 'x-kubernetes-preserve-unknown-fields': true },
      value: { a: true, b: true, c: true },
      want: ['f: Too many: 3: must have at most 2 items'],
    },
    'map values (additionalProperties) are named with a dot': {
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      value: { a: 'x', b: 1 },
      want: ['f.b: Invalid value: "integer": f.b in body must be of type string: "integer"'],
    },
    'additionalProperties: false forbids keys': {
      schema: { type: 'object', additionalProperties: false },
      value: { x: 1 },
      want: ['f: Invalid value: "x": f.x in body is a forbidden property'],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(object({ f: c.schema }), { f: c.value }), c.want, name);
});

test('x-kubernetes-int-or-string and junctors (upstream expectations)', () => {
  const field = (s: JSONSchemaProps): JSONSchemaProps => object({ field: s });
  const intOrString = field({ 'x-kubernetes-int-or-string': true });
  const cases: Record<string, { schema: JSONSchemaProps; value: unknown; want: string[] }> = {
    'int-or-string: integer': { schema: intOrString, value: 42, want: [] },
    'int-or-string: string': { schema: intOrString, value: 'foo', want: [] },
    'int-or-string: float': {
      schema: intOrString,
      value: 1.2,
      want: ['field: Invalid value: "number": field in body must be of type integer,string: "number"'],
    },
    'int-or-string: null': {
      schema: intOrString,
      value: null,
      want: ['field: Invalid value: "null": field in body must be of type integer,string: "null"'],
    },
    'int-or-string: nullable null': { schema: field({ 'x-kubernetes-int-or-string': true, nullable: true }), value: null, want: [] },
    'int-or-string with anyOf': {
      schema: field({ 'x-kubernetes-int-or-string': true, nullable: true, anyOf: [{ type: 'integer' }, { type: 'string' }] }),
      value: true,
      want: [
        'field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"',
        '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
        'field: Invalid value: "boolean": field in body must be of type integer: "boolean"',
      ],
    },
    'int-or-string with allOf': {
      schema: field({ 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }] }),
      value: {},
      want: [
        'field: Invalid value: "object": field in body must be of type integer,string: "object"',
        '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
        'field: Invalid value: "object": field in body must be of type integer: "object"',
        '<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated',
      ],
    },
    'oneOf: two valid': {
      schema: field({ type: 'integer', oneOf: [{ minimum: 5 }, { maximum: 10 }] }),
      value: 7,
      want: ['<nil>: Invalid value: "": "field" must validate one and only one schema (oneOf). Found 2 valid alternatives'],
    },
    'oneOf: one valid': { schema: field({ type: 'integer', oneOf: [{ minimum: 5 }, { maximum: 10 }] }), value: 12, want: [] },
    'oneOf: none valid keeps the best branch': {
      schema: field({ type: 'integer', oneOf: [{ minimum: 5 }, { minimum: 8 }] }),
      value: 3,
      want: [
        '<nil>: Invalid value: "": "field" must validate one and only one schema (oneOf). Found none valid',
        'field: Invalid value: 3: field in body should be greater than or equal to 5',
      ],
    },
    'allOf: one failing': {
      schema: field({ type: 'string', allOf: [{ minLength: 1 }, { maxLength: 2 }] }),
      value: 'abc',
      want: ['field: Too long: may not be more than 2 bytes', '<nil>: Invalid value: "": "field" must validate all the schemas (allOf)'],
    },
    not: {
      schema: field({ type: 'string', not: { enum: ['x'] } }),
      value: 'x',
      want: ['<nil>: Invalid value: "": "field" must not validate the schema (not)'],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(c.schema, { field: c.value }), c.want, name);
});

test('embedded resources', () => {
  const embedded: JSONSchemaProps = {
    type: 'object',
    'x-kubernetes-embedded-resource': true,
    'x-kubernetes-preserve-unknown-fields': true,
  };
  const schema = object({
    spec: object({ template: embedded, templates: { type: 'object', additionalProperties: embedded } }),
  });
  const DNS1035 =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  const cases: Record<string, { spec: unknown; want: string[] }> = {
    valid: { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } } } }, want: [] },
    'apiVersion and kind missing': {
      spec: { template: {} },
      want: ['spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty'],
    },
    'empty apiVersion, kind not a DNS-1035 label': {
      spec: { template: { apiVersion: '', kind: 'my_kind' } },
      want: [
        'spec.template.apiVersion: Invalid value: "": must not be empty',
        `spec.template.kind: Invalid value: "my_kind": may have mixed case, but should otherwise match: ${DNS1035}`,
      ],
    },
    'apiVersion with two slashes': {
      spec: { template: { apiVersion: 'a/b/c', kind: 'Pod' } },
      want: ['spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c'],
    },
    'kind not a string': {
      spec: { template: { apiVersion: 'v1', kind: 5 } },
      want: ['spec.template.kind: Invalid value: 5: must be a string'],
    },
    'metadata.name is a path segment': {
      spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a/b' } } },
      want: ["spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'"],
    },
    'metadata that does not decode': {
      spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 5 } } },
      want: [
        'spec.template.metadata: Invalid value: map[string]interface {}{"name":5}: json: cannot unmarshal number into Go struct field ObjectMeta.name of type string',
      ],
    },
    'map values are named with brackets': {
      spec: { templates: { a: { apiVersion: 'v1' } } },
      want: ['spec.templates[a].kind: Required value: must not be empty'],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(schema, { spec: c.spec }), c.want, name);
});

test('x-kubernetes-list-type set and map', () => {
  const list = (extra: JSONSchemaProps): JSONSchemaProps => ({ type: 'array', ...extra });
  const port = object({ port: { type: 'integer' }, protocol: { type: 'string' }, name: { type: 'string' } });
  const schema = object({
    spec: object({
      tags: list({ items: { type: 'string' }, 'x-kubernetes-list-type': 'set' }),
      objects: list({ items: { ...port, 'x-kubernetes-map-type': 'atomic' }, 'x-kubernetes-list-type': 'set' }),
      byName: list({ items: port, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
      byPort: list({ items: port, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'] }),
    }),
  });
  const cases: Record<string, { spec: unknown; want: string[] }> = {
    'set: the first repeat of each value': {
      spec: { tags: ['a', 'b', 'a', 'a', 'b'] },
      want: ['spec.tags[2]: Duplicate value: "a"', 'spec.tags[4]: Duplicate value: "b"'],
    },
    'set of objects': {
      spec: { objects: [{ port: 80 }, { port: 80 }] },
      want: ['spec.objects[1]: Duplicate value: map[string]interface {}{"port":80}'],
    },
    'map with one key': {
      spec: { byName: [{ name: 'a' }, { name: 'b' }, { name: 'a', port: 1 }] },
      want: ['spec.byName[2]: Duplicate value: map[string]interface {}{"name":"a"}'],
    },
    'map: missing keys collide': {
      spec: { byName: [{ port: 1 }, { port: 2 }] },
      want: ['spec.byName[1]: Duplicate value: map[string]interface {}{}'],
    },
    'map with two keys': {
      spec: { byPort: [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }] },
      want: ['spec.byPort[2]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}'],
    },
    'map of non-objects': {
      spec: { byName: ['x'] },
      want: [
        'spec.byName[0]: Invalid value: "string": spec.byName[0] in body must be of type object: "string"',
        'spec.byName[0]: Invalid value: "x": must be an object for an array of list-type map',
      ],
    },
    unique: { spec: { tags: ['a', 'b'], byName: [{ name: 'a' }, { name: 'b' }] }, want: [] },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(lines(schema, { spec: c.spec }), c.want, name);
  // On update, duplicates already stored are not reported again.
  const old = { spec: { tags: ['a', 'a'] } };
  assert.deepEqual(lines(schema, { spec: { tags: ['a', 'a', 'b'] } }, { oldObject: old }), []);
});

test('ratcheting on update: unchanged invalid values are not reported', () => {
  const stored = crontab({ cronSpec: 'bad', image: 'a', replicas: 15 });
  const cases: Record<string, { spec: Record<string, unknown>; want: string[] }> = {
    'another field changed': { spec: { cronSpec: 'bad', image: 'b', replicas: 15 }, want: [] },
    'the invalid field changed': {
      spec: { cronSpec: 'bad', image: 'a', replicas: 20 },
      want: ['spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10'],
    },
    'a new invalid field': {
      spec: { cronSpec: 'bad', image: 1, replicas: 15 },
      want: ['spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"'],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    assert.deepEqual(lines(CRONTAB, crontab(c.spec), { oldObject: stored }), c.want, name);
  }
});

test('a sub-tree under a field path (the /status subresource)', () => {
  const status = object({ replicas: { type: 'integer' } });
  assert.deepEqual(lines(status, { replicas: 'x' }, { fieldPath: 'status' }), [
    'status.replicas: Invalid value: "string": replicas in body must be of type integer: "string"',
  ]);
  // kube's message names the sub-tree's root as "", hence the double space.
  assert.deepEqual(lines(status, 'x', { fieldPath: 'status' }), ['status: Invalid value: "string":  in body must be of type object: "string"']);
});
