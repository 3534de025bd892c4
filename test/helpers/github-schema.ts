/**
 * GitHub's published request shapes (test/fixtures/github-openapi/operations.json, extracted from the OpenAPI
 * description) and a small validator for them, so the fake GitHub rejects what GitHub would reject instead of
 * letting a malformed request pass in tests and fail in production.
 */
import { readFileSync } from 'node:fs';

/** The subset of JSON Schema (OpenAPI 3.0 flavour) that extract.mjs keeps. */
export interface JsonSchema {
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

export interface OperationParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
  /** The value may span several path segments (a ref such as `heads/feature`). */
  multiSegment?: boolean;
}

export interface Operation {
  operationId: string;
  method: string;
  /** Path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  path: string;
  documentationUrl: string | null;
  parameters: OperationParameter[];
  requestBody: { required: boolean; schema: JsonSchema } | null;
  responses: number[];
}

/** One entry of the `errors` list of GitHub's 422 "Validation Failed" answer. */
export interface ValidationError {
  resource: string;
  field: string;
  code: 'missing_field' | 'invalid';
  message: string;
}

export interface RequestCheck {
  /** What GitHub would refuse: the request gets 422. */
  rejected: ValidationError[];
  /** What GitHub silently ignores (unknown body keys or query parameters): likely a typo in the caller. */
  ignored: string[];
}

export interface IncomingRequest {
  pathParams: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
}

const OPERATIONS_FILE = new URL('../fixtures/github-openapi/operations.json', import.meta.url);

export function loadOperations(): Operation[] {
  const parsed = JSON.parse(readFileSync(OPERATIONS_FILE, 'utf8')) as { operations: Operation[] };
  return parsed.operations;
}

export interface MatchedOperation {
  operation: Operation;
  pathParams: Record<string, string>;
}

export type OperationMatcher = (method: string, pathname: string) => MatchedOperation | undefined;

/** A router over the operations: finds the one whose method and path template fit, with its decoded path parameters. */
export function operationMatcher(operations: Operation[]): OperationMatcher {
  const compiled = operations.map((operation) => ({ operation, ...compileTemplate(operation) }));
  return (method, pathname) => {
    for (const { operation, pattern, names } of compiled) {
      if (operation.method !== method.toUpperCase()) continue;
      const match = pattern.exec(pathname);
      if (!match) continue;
      const pathParams: Record<string, string> = {};
      names.forEach((name, index) => (pathParams[name] = safeDecode(match[index + 1] ?? '')));
      return { operation, pathParams };
    }
    return undefined;
  };
}

function compileTemplate(operation: Operation): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const escaped = operation.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const source = escaped.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    const multiSegment = operation.parameters.some((p) => p.in === 'path' && p.name === name && p.multiSegment);
    return multiSegment ? '(.+)' : '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}/?$`), names };
}

/** A malformed escape stays as sent, as a literal: it then matches no label or branch. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Checks parameters and body against the operation's published shape. */
export function checkRequest(operation: Operation, request: IncomingRequest): RequestCheck {
  const resource = resourceOf(operation);
  const check: RequestCheck = { rejected: [], ignored: [] };
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'path' && parameter.in !== 'query') continue;
    const value = parameter.in === 'path' ? request.pathParams[parameter.name] : request.query.get(parameter.name);
    if (value === undefined || value === null) {
      if (parameter.required) check.rejected.push(missing(resource, parameter.name));
      continue;
    }
    const problem = checkParameterValue(parameter.schema, value);
    if (problem) check.rejected.push(invalid(resource, parameter.name, problem));
  }
  const knownQuery = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of new Set(request.query.keys())) {
    if (!knownQuery.has(name)) check.ignored.push(`unknown query parameter '${name}'`);
  }
  checkBody(operation, request.body, resource, check);
  return check;
}

function checkBody(operation: Operation, body: unknown, resource: string, check: RequestCheck): void {
  if (body === undefined) {
    if (operation.requestBody?.required) check.rejected.push(missing(resource, 'body'));
    return;
  }
  if (!operation.requestBody) {
    check.ignored.push('a body on an operation that takes none');
    return;
  }
  const problems: Problem[] = [];
  checkValue(operation.requestBody.schema, body, '', problems);
  for (const { kind, message, field: path } of problems) {
    // A problem with the body as a whole has no field name; GitHub calls it the body.
    const field = path || 'body';
    if (kind === 'ignored') check.ignored.push(message);
    else if (kind === 'missing') check.rejected.push(missing(resource, field));
    else check.rejected.push(invalid(resource, field, message));
  }
}

interface Problem {
  kind: 'missing' | 'invalid' | 'ignored';
  field: string;
  message: string;
}

/** Appends to `problems` every way `value` fails `schema`; `field` is the dotted path for messages. */
function checkValue(schema: JsonSchema, value: unknown, field: string, problems: Problem[]): void {
  if (value === null && schema.nullable) return;
  if (schema.type && !hasType(value, schema.type)) {
    problems.push({ kind: 'invalid', field, message: `${describe(value)} is not of type ${schema.type}` });
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    const message = `${describe(value)} is not one of ${JSON.stringify(schema.enum)}`;
    problems.push({ kind: 'invalid', field, message });
  }
  if (isObject(value)) checkObject(schema, value, field, problems);
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, index) => checkValue(schema.items as JsonSchema, item, `${field}[${index}]`, problems));
  }
  checkCombinators(schema, value, field, problems);
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, field: string, problems: Problem[]): void {
  for (const name of schema.required ?? []) {
    if (!(name in value)) problems.push({ kind: 'missing', field: join(field, name), message: `${name} is missing` });
  }
  if (!schema.properties) return;
  for (const [name, property] of Object.entries(value)) {
    const propertySchema = schema.properties[name];
    if (propertySchema) {
      checkValue(propertySchema, property, join(field, name), problems);
    } else if (schema.additionalProperties === false) {
      problems.push({ kind: 'invalid', field: join(field, name), message: `unknown property '${name}'` });
    } else if (typeof schema.additionalProperties === 'object') {
      checkValue(schema.additionalProperties, property, join(field, name), problems);
    } else {
      const path = join(field, name);
      problems.push({ kind: 'ignored', field: path, message: `unknown body property '${path}'` });
    }
  }
}

/** oneOf: exactly one option fits; anyOf: at least one; allOf: every one. Problems of a failed option are reported. */
function checkCombinators(schema: JsonSchema, value: unknown, field: string, problems: Problem[]): void {
  for (const option of schema.allOf ?? []) checkValue(option, value, field, problems);
  const options = schema.oneOf ?? schema.anyOf;
  if (!options) return;
  const outcomes = options.map((option) => {
    const optionProblems: Problem[] = [];
    checkValue(option, value, field, optionProblems);
    return optionProblems;
  });
  const fitting = outcomes.filter((outcome) => outcome.every((problem) => problem.kind === 'ignored'));
  if (fitting.length === 0) {
    // With a single option its own messages are the clearest; with several, say none fitted.
    const message = `${describe(value)} fits none of the ${options.length} allowed shapes`;
    if (options.length === 1) problems.push(...(outcomes[0] ?? []));
    else problems.push({ kind: 'invalid', field, message });
  } else if (schema.oneOf && fitting.length > 1) {
    problems.push({ kind: 'invalid', field, message: `${describe(value)} fits more than one allowed shape` });
  } else {
    problems.push(...(fitting[0] ?? []));
  }
}

/** Path and query values arrive as text: an integer parameter must look like one. */
function checkParameterValue(schema: JsonSchema, value: string): string | undefined {
  if (schema.type === 'integer' && !/^-?\d+$/.test(value)) return `"${value}" is not of type integer`;
  if (schema.type === 'number' && !Number.isFinite(Number(value))) return `"${value}" is not of type number`;
  if (schema.type === 'boolean' && value !== 'true' && value !== 'false') return `"${value}" is not of type boolean`;
  if (schema.enum && !schema.enum.map(String).includes(value)) {
    return `"${value}" is not one of ${JSON.stringify(schema.enum)}`;
  }
  return undefined;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function join(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name;
}

function missing(resource: string, field: string): ValidationError {
  return { resource, field, code: 'missing_field', message: `${field} is missing` };
}

function invalid(resource: string, field: string, message: string): ValidationError {
  return { resource, field, code: 'invalid', message };
}

/** GitHub names the resource in validation errors ("PullRequest", "Label", ...). */
function resourceOf(operation: Operation): string {
  const [area, action = ''] = operation.operationId.split('/');
  if (area === 'pulls') return 'PullRequest';
  if (area === 'git') return 'Reference';
  if (area === 'issues' && action.includes('comment')) return 'IssueComment';
  if (area === 'issues' && action.includes('label')) return 'Label';
  if (area === 'issues') return 'Issue';
  if (area === 'repos') return 'Repository';
  return 'User';
}
