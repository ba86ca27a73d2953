"""Reads an unpacked lark-oapi wheel (the Python SDK) without importing it, and prints
one JSON dump for `cargo xtask import`: per endpoint its id, HTTP method, path, token
kinds, query and path parameters, the request body and response types, and whether the
body is a multipart upload or the response a binary download; per model class its
fields and their types. The lark-mcp dump (from dump_mcp.js) is embedded as is, so the
importer reads one file. Only names, types and flags are kept, never descriptive text.

usage: python3 dump_oapi.py <dir holding lark_oapi/> <mcp.json> > dump.json
"""

import ast
import json
import os
import re
import sys


def snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def type_expr(node, imports, scope):
    """A type annotation as a small JSON tree."""
    if isinstance(node, ast.Name):
        n = node.id
        if n in ("str",):
            return {"kind": "str"}
        if n == "int":
            return {"kind": "int"}
        if n == "float":
            return {"kind": "float"}
        if n == "bool":
            return {"kind": "bool"}
        if n in ("object", "Any", "list", "dict"):
            return {"kind": "any"}
        return {"kind": "ref", "name": imports.get(n, scope + "." + n)}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return type_expr(ast.parse(node.value, mode="eval").body, imports, scope)
    if isinstance(node, ast.Subscript):
        head = node.value.id if isinstance(node.value, ast.Name) else None
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Optional":
            return type_expr(args[0], imports, scope)
        if head in ("List", "Set"):
            return {"kind": "list", "items": type_expr(args[0], imports, scope)}
        if head == "Dict":
            return {"kind": "dict", "values": type_expr(args[1], imports, scope)}
        if head == "IO":
            return {"kind": "file"}
    raise ValueError("unsupported annotation: " + ast.dump(node))


def module_imports(tree, scope):
    """`from .x import X` -> X: scope.X (model classes of the same service version)."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            for alias in node.names:
                out[alias.asname or alias.name] = scope + "." + alias.name
    return out


def read_models(model_dir, scope, types, requests):
    for file in sorted(os.listdir(model_dir)):
        if not file.endswith(".py") or file == "__init__.py":
            continue
        tree = ast.parse(open(os.path.join(model_dir, file), encoding="utf-8").read())
        imports = module_imports(tree, scope)
        for cls in tree.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            qual = scope + "." + cls.name
            for stmt in cls.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id == "_types"
                ):
                    fields = []
                    for k, v in zip(stmt.value.keys, stmt.value.values):
                        fields.append({"name": k.value, "type": type_expr(v, imports, scope)})
                    types[qual] = {"fields": fields}
            if cls.name.endswith("RequestBuilder"):
                requests[scope + "." + cls.name[: -len("Builder")]] = read_request_builder(
                    cls, tree, imports, scope
                )


def attr_types(tree, class_name, imports, scope):
    """`self.x: Optional[T] = None` in the request class's __init__."""
    out = {}
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef) and cls.name == class_name:
            for fn in cls.body:
                if isinstance(fn, ast.FunctionDef) and fn.name == "__init__":
                    for stmt in fn.body:
                        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Attribute):
                            out[stmt.target.attr] = stmt.annotation
    return out


def read_request_builder(cls, tree, imports, scope):
    req = {"query": [], "path_params": [], "body": None}
    attrs = attr_types(tree, cls.name[: -len("Builder")], imports, scope)
    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        if fn.name == "__init__":
            for stmt in ast.walk(fn):
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Attribute):
                    attr = stmt.targets[0].attr
                    if attr == "http_method":
                        req["method"] = stmt.value.attr
                    elif attr == "uri":
                        req["path"] = stmt.value.value
                    elif attr == "token_types":
                        # `{}` (an empty dict literal) on the token endpoints: no token.
                        elts = getattr(stmt.value, "elts", [])
                        req["tokens"] = sorted(e.attr.lower() for e in elts)
            continue
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_query"
            ):
                name = node.args[0].value
                req["query"].append({"name": name, "type": type_expr(attrs[fn.name], imports, scope)})
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "paths"
                and isinstance(node.ctx, ast.Store)
            ):
                name = node.slice.value
                req["path_params"].append({"name": name, "type": type_expr(attrs[fn.name], imports, scope)})
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Attribute)
                and node.targets[0].attr == "body"
            ):
                req["body"] = type_expr(attrs[fn.name], imports, scope)
    return req


def read_resources(resource_dir, scope, service, version, requests, types, endpoints):
    for file in sorted(os.listdir(resource_dir)):
        if not file.endswith(".py") or file == "__init__.py":
            continue
        source = open(os.path.join(resource_dir, file), encoding="utf-8").read()
        tree = ast.parse(source)
        resource = file[:-3]
        imports = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("model."):
                for alias in node.names:
                    imports[alias.name] = scope + "." + alias.name
        for cls in tree.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            for fn in cls.body:
                if not isinstance(fn, ast.FunctionDef) or fn.name == "__init__":
                    continue
                text = ast.get_source_segment(source, fn)
                req_name = imports[fn.args.args[1].annotation.id]
                resp_name = imports[fn.returns.id]
                req = requests[req_name]
                resp_fields = {f["name"]: f["type"] for f in types.get(resp_name, {}).get("fields", [])}
                # The SDK appends `_` to names Python reserves (`import_`, `del_`, `pass_`).
                eid = ".".join([service, version, resource, fn.name.rstrip("_")])
                endpoints[eid] = {
                    "method": req["method"],
                    "path": req["path"],
                    "tokens": req.get("tokens", []),
                    "query": req["query"],
                    "path_params": req["path_params"],
                    "body": req["body"],
                    "multipart": "MultipartEncoder" in text,
                    "download": "io.BytesIO(resp.content)" in text,
                    "response": resp_fields.get("data"),
                }


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: python3 dump_oapi.py <dir holding lark_oapi/> <mcp.json>")
    root, mcp_file = sys.argv[1], sys.argv[2]
    version = None
    for entry in sorted(os.listdir(root)):
        m = re.match(r"lark_oapi-(.+)\.dist-info$", entry)
        if m:
            version = m.group(1)
    api = os.path.join(root, "lark_oapi", "api")
    types, endpoints = {}, {}
    for service in sorted(os.listdir(api)):
        sdir = os.path.join(api, service)
        if not os.path.isdir(sdir):
            continue
        for ver in sorted(os.listdir(sdir)):
            vdir = os.path.join(sdir, ver)
            if not os.path.isdir(os.path.join(vdir, "resource")):
                continue
            scope = service + "." + ver
            requests = {}
            read_models(os.path.join(vdir, "model"), scope, types, requests)
            read_resources(os.path.join(vdir, "resource"), scope, service, ver, requests, types, endpoints)
    with open(mcp_file, encoding="utf-8") as f:
        mcp = json.load(f)
    dump = {
        "format": 1,
        "sources": [
            {"name": mcp["package"], "version": mcp["version"], "license": mcp["license"]},
            {"name": "lark-oapi", "version": version, "license": "MIT"},
        ],
        "mcp": mcp["endpoints"],
        "oapi": {"endpoints": endpoints, "types": types},
    }
    json.dump(dump, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
