// Reads the generated tool definitions of an unpacked @larksuiteoapi/lark-mcp package
// and prints, as JSON, the facts the importer uses: per tool its name, HTTP method,
// path, token kinds, the request schemas (path, query, body) as a small JSON-Schema-like
// tree, the page title (zh and en) and the doc link. Descriptive text is not kept: from
// each `.describe()` only the enum options list (`Options:value(name label),...`) is read.
//
// usage: node dump_mcp.js <package dir>   (the directory holding package.json)
'use strict';
const fs = require('fs');
const path = require('path');

const root = process.argv[2];
if (!root) {
  console.error('usage: node dump_mcp.js <package dir>');
  process.exit(2);
}

// A stand-in for zod that records the schema tree instead of validating anything, so
// no other package is needed. Generated code only calls the methods below.
class Node {
  constructor(kind, extra) {
    Object.assign(this, { kind, isOptional: false, text: null }, extra);
  }
  clone(extra) {
    const n = new Node(this.kind, {});
    Object.assign(n, this, extra);
    return n;
  }
  describe(d) { return this.clone({ text: d }); }
  optional() { return this.clone({ isOptional: true }); }
  array() { return new Node('array', { items: this }); }
  catchall(x) { return this.clone({ rest: x }); }
}
const z = {
  object: (shape) => new Node('object', { shape }),
  string: () => new Node('string'),
  number: () => new Node('number'),
  boolean: () => new Node('boolean'),
  any: () => new Node('any'),
  array: (items) => new Node('array', { items }),
  enum: (values) => new Node('string', { values }),
  literal: (value) => new Node(typeof value === 'number' ? 'number' : 'string', { values: [value] }),
};

// `Options:1(fault 故障反馈),2(advice 产品建议)` or `Options:open_id(标识...)`.
// Integer options carry a name and a label; string options a label only (the value is
// the name). Labels may hold parentheses and commas, so items are split where the next
// `,value(` starts.
function parseOptions(description) {
  if (!description) return null;
  const at = description.lastIndexOf('Options:');
  if (at < 0) return null;
  const text = description.slice(at + 'Options:'.length).trim();
  const starts = [];
  const re = /(^|,)\s*([A-Za-z0-9_.\-:/@*]+)\(/g;
  let m;
  while ((m = re.exec(text)) !== null) {
    starts.push({ index: m.index + m[1].length, value: m[2], open: re.lastIndex });
  }
  // Keep only starts whose preceding item closed with `)`.
  const items = [];
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i];
    if (i > 0 && text[s.index - 2] !== ')') continue;
    items.push(s);
  }
  const out = [];
  for (let i = 0; i < items.length; i++) {
    const end = i + 1 < items.length ? items[i + 1].index - 1 : text.length;
    let inner = text.slice(items[i].open, end).trim();
    if (inner.endsWith(')')) inner = inner.slice(0, -1);
    const value = items[i].value;
    if (/^-?\d+$/.test(value)) {
      const sp = inner.search(/\s/);
      const name = sp < 0 ? inner : inner.slice(0, sp);
      const label = sp < 0 ? '' : inner.slice(sp + 1).trim();
      out.push({ value: Number(value), name, label });
    } else {
      out.push({ value, label: inner.trim() });
    }
  }
  return out.length ? out : null;
}

function toJson(node) {
  const out = { type: node.kind };
  if (node.isOptional) out.optional = true;
  if (node.kind === 'object') {
    out.fields = Object.keys(node.shape).map((name) => ({ name, schema: toJson(node.shape[name]) }));
    if (node.rest) out.additional = toJson(node.rest);
  } else if (node.kind === 'array') {
    out.items = toJson(node.items);
  } else if (node.values) {
    out.enum = node.values;
  }
  const options = parseOptions(node.text);
  if (options && (node.kind === 'number' || node.kind === 'string')) out.options = options;
  return out;
}

function loadTools(dir) {
  const tools = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    const exports = {};
    const req = (m) => {
      if (m === 'zod') return { z };
      throw new Error(`${file}: unexpected require(${m})`);
    };
    new Function('exports', 'require', src)(exports, req);
    for (const key of Object.keys(exports)) {
      const t = exports[key];
      if (t && typeof t === 'object' && !Array.isArray(t) && t.httpMethod) tools.push(t);
    }
  }
  return tools;
}

// `| name | [title](url) | description |` rows of docs/tools-<lang>.md.
function loadTitles(file) {
  const titles = {};
  if (!fs.existsSync(file)) return titles;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\|\s*([A-Za-z0-9_.]+)\s*\|\s*\[(.*)\]\((https?:\/\/[^)\s]+)\)\s*\|/.exec(line);
    if (m) titles[m[1]] = { title: m[2].trim(), url: m[3] };
  }
  return titles;
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const tools = loadTools(path.join(root, 'dist/mcp-tool/tools/zh/gen-tools/zod'));
const zh = loadTitles(path.join(root, 'docs/tools-zh.md'));
const en = loadTitles(path.join(root, 'docs/tools-en.md'));
const endpoints = {};
for (const t of tools) {
  const schema = t.schema || {};
  const e = {
    name: t.name,
    method: t.httpMethod,
    path: t.path,
    tokens: t.accessTokens || null,
  };
  const parts = { path: 'path_params', params: 'query', data: 'body' };
  for (const part of Object.keys(parts)) {
    if (schema[part]) e[parts[part]] = toJson(schema[part]);
  }
  for (const part of Object.keys(schema)) {
    // `useUAT` is the tool's own switch between user and tenant identity, not a wire field.
    if (!parts[part] && part !== 'useUAT') throw new Error(`${t.name}: unexpected schema part ${part}`);
  }
  if (zh[t.name]) {
    e.title_zh = zh[t.name].title;
    e.doc_url = zh[t.name].url;
  }
  if (en[t.name]) e.title_en = en[t.name].title;
  endpoints[t.name] = e;
}
const sorted = {};
for (const k of Object.keys(endpoints).sort()) sorted[k] = endpoints[k];
process.stdout.write(JSON.stringify({ package: pkg.name, version: pkg.version, license: pkg.license, endpoints: sorted }) + '\n');
