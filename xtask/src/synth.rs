//! Synthetic schemas of realistic shape for the benchmarks: every endpoint has path and
//! query parameters, a nested body with a named type and an enum, documented error
//! codes, and every fourth one is a paginated list.

use feishu_codegen::SourceFile;

/// Endpoints per service version, like the larger real services.
const PER_MODULE: usize = 100;

/// How large each synthetic endpoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The compact endpoints the earlier figures were measured on (about 16 KB of Rust each).
    Small,
    /// Endpoints the size of the published surface's (about 23 KB of Rust each): long
    /// descriptions, a dozen more body and response fields of every kind, an inline
    /// object in the response.
    Real,
}

/// A schema with `n` endpoints (plus the auth endpoints the client needs).
pub fn schema(n: usize) -> Vec<SourceFile> {
    schema_shaped(n, Shape::Small)
}

/// [`schema`], with endpoints of the given shape.
pub fn schema_shaped(n: usize, shape: Shape) -> Vec<SourceFile> {
    let mut files = vec![file("common/errors.yaml", COMMON.to_owned())];
    for role in AUTH {
        files.push(file(
            &format!("auth/v3/{}.yaml", role.0),
            auth_endpoint(role),
        ));
    }
    for i in 0..n {
        let service = format!("svc{}", i / PER_MODULE);
        let mut text = if i % 4 == 3 {
            list_endpoint(&service, i)
        } else {
            write_endpoint(&service, i)
        };
        if shape == Shape::Real {
            text = real_sized(&text, i);
        }
        files.push(file(&format!("{service}/v1/res{i}.yaml"), text));
    }
    files
}

/// The auth endpoints every generated client needs.
pub fn auth_files() -> Vec<SourceFile> {
    AUTH.iter()
        .map(|role| file(&format!("auth/v3/{}.yaml", role.0), auth_endpoint(*role)))
        .collect()
}

fn file(path: &str, text: String) -> SourceFile {
    SourceFile {
        path: path.to_owned(),
        bytes: text.into_bytes(),
    }
}

const COMMON: &str = "errors:
  - {code: 99991400, http: 429, name: rate_limited, message: limited, hint: wait}
  - {code: 99991663, http: 400, name: tenant_token_invalid, message: invalid token, hint: refetch}
";

const AUTH: [(&str, &str, &str, &str); 5] = [
    (
        "tenant_access_token.internal",
        "tenant_internal",
        "app_id app_secret",
        "tenant_access_token",
    ),
    (
        "app_access_token.internal",
        "app_internal",
        "app_id app_secret",
        "app_access_token",
    ),
    (
        "app_access_token.create",
        "app_marketplace",
        "app_id app_secret app_ticket",
        "app_access_token",
    ),
    (
        "tenant_access_token.create",
        "tenant_marketplace",
        "app_access_token tenant_key",
        "tenant_access_token",
    ),
    (
        "app_ticket.resend",
        "app_ticket_resend",
        "app_id app_secret",
        "",
    ),
];

fn auth_endpoint((id, role, args, token): (&str, &str, &str, &str)) -> String {
    let mut s = format!(
        "endpoint:\n  id: auth.v3.{id}\n  summary: token\n  description: token\n  doc_url: https://example.com\n  method: POST\n  host: open\n  path: /open-apis/auth/v3/{}\n  tokens: []\n  rate_limit: special\n  app_types: [custom]\n  scopes: []\n  idempotent: true\n  token_role: {role}\n  body:\n    fields:\n",
        id.replace('.', "/")
    );
    for a in args.split(' ') {
        s.push_str(&format!(
            "      - {{name: {a}, type: string, required: true}}\n"
        ));
    }
    s.push_str("  response:\n    envelope: flat\n");
    if token.is_empty() {
        s.push_str("    fields: []\n");
    } else {
        s.push_str(&format!("    fields:\n      - {{name: {token}, type: string, secret: true}}\n      - {{name: expire, type: i64}}\n"));
    }
    s
}

fn types(i: usize) -> String {
    format!(
        "enums:
  - name: State{i}
    description: 状态
    wire: int
    values:
      - {{value: 0, name: draft, label: 草稿}}
      - {{value: 1, name: active, label: 生效}}
      - {{value: 2, name: closed, label: 关闭}}
  - name: Kind{i}
    wire: string
    values:
      - {{value: ALPHA, name: alpha}}
      - {{value: BETA, name: beta}}
types:
  - name: Item{i}
    description: 一条记录
    fields:
      - {{name: item_id, type: string, required: true, description: 记录 ID, example: \"7057888018203574291\"}}
      - {{name: state, type: State{i}, description: 状态}}
      - {{name: kind, type: Kind{i}, description: 类型}}
      - {{name: count, type: i32, range: {{min: 0, max: 1000}}, description: 数量}}
      - {{name: created_at, type: int64_string, description: 创建时间}}
      - {{name: tags, type: array, items: string, description: 标签}}
      - name: owner
        type: object
        description: 负责人
        fields:
          - {{name: user_id, type: string, required: true}}
          - {{name: name, type: string, length: {{max: 64}}}}
"
    )
}

fn header(service: &str, i: usize, method: &str, path: &str, idempotent: bool) -> String {
    format!(
        "endpoint:
  id: {service}.v1.res{i}.op
  summary: 操作 {i}
  description: |
    第 {i} 个合成接口。
    用于基准测试。
  doc_url: https://example.com/{i}
  method: {method}
  host: open
  path: {path}
  tokens: [tenant, user]
  rate_limit: 100/minute
  app_types: [custom, isv]
  scopes: [demo:scope]
  idempotent: {idempotent}
  errors:
    - {{http: 400, code: {a}, name: bad_input, message: bad input, hint: 检查输入}}
    - {{http: 400, code: {b}, name: not_found, message: not found, hint: 检查 ID}}
    - {{http: 400, code: {c}, name: conflict, message: conflict, hint: 稍后重试}}
",
        a = 300000 + i * 3,
        b = 300001 + i * 3,
        c = 300002 + i * 3,
    )
}

/// Grows a compact endpoint to the size of a published one.
fn real_sized(text: &str, i: usize) -> String {
    let description = "    该接口用于按条件操作合成资源，字段含义与开放平台文档保持一致。\n    调用前请确认应用已开通相应权限，并在请求头中携带访问凭证。\n\n    注意事项：\n    - 单次请求最多处理 50 条记录；\n    - 时间字段均为毫秒时间戳；\n    - 详见 https://open.feishu.cn/document/home 。\n";
    let extra_fields = |indent: &str| {
        [
            "{name: title, type: string, length: {max: 255}, description: 标题，不超过 255 个字符, example: 周报}",
            "{name: content, type: string, description: 正文内容，支持富文本格式, example: 内容}",
            "{name: owner_id, type: string, description: 负责人的用户 ID，类型由 user_id_type 决定, example: ou_123}",
            "{name: start_time, type: timestamp_ms, description: 开始时间（毫秒时间戳）, example: \"1688022000000\"}",
            "{name: end_time, type: timestamp_ms, description: 结束时间（毫秒时间戳）, example: \"1688022600000\"}",
            "{name: priority, type: i32, range: {min: 0, max: 3}, description: 优先级，0 最低 3 最高, example: 1}",
            "{name: labels, type: map, items: string, description: 自定义标签，键值对形式}",
            "{name: extra, type: json, description: 扩展字段，原样透传}",
        ]
        .iter()
        .map(|f| format!("{indent}- {f}\n"))
        .collect::<String>()
    };
    let inline = "      - name: stats\n        type: object\n        description: 统计信息\n        fields:\n          - {name: views, type: i64, description: 浏览次数}\n          - {name: likes, type: i64, description: 点赞次数}\n          - {name: comments, type: i64, description: 评论次数}\n          - {name: updated_at, type: timestamp_ms, description: 统计更新时间}\n";
    let mut out = text.replacen(
        "  description: |\n",
        &format!("  description: |\n{description}"),
        1,
    );
    out = out.replacen(
        "  body:\n    fields:\n",
        &format!("  body:\n    fields:\n{}", extra_fields("      ")),
        1,
    );
    out.replacen(
        "  response:\n    fields:\n",
        &format!(
            "  response:\n    fields:\n{}{inline}",
            extra_fields("      ")
        ),
        1,
    ) + &format!("# real-sized endpoint {i}\n")
}

fn write_endpoint(service: &str, i: usize) -> String {
    let path = format!("/open-apis/{service}/v1/res{i}/:res_id/items/:item_id");
    header(service, i, "PATCH", &path, true)
        + &format!(
            "  path_params:
    - {{name: res_id, type: string, required: true, description: 资源 ID}}
    - {{name: item_id, type: string, required: true, description: 记录 ID}}
  query:
    - {{name: user_id_type, type: string, default: open_id, description: 用户 ID 类型}}
    - {{name: operator_id, type: string, required: true, description: 操作人}}
    - {{name: reason, type: string, required_when: {{field: state, equals: 2}}, description: 原因}}
  body:
    fields:
      - {{name: state, type: State{i}, required: true, description: 状态}}
      - {{name: item, type: Item{i}, description: 记录}}
      - {{name: items, type: array, items: Item{i}, description: 记录列表}}
  response:
    fields:
      - {{name: item, type: Item{i}, description: 更新后的记录}}
"
        )
        + &types(i)
}

fn list_endpoint(service: &str, i: usize) -> String {
    let path = format!("/open-apis/{service}/v1/res{i}");
    header(service, i, "GET", &path, true)
        + &format!(
            "  query:
    - {{name: state, type: State{i}, description: 状态}}
    - {{name: page_size, type: i32, range: {{min: 1, max: 100}}, description: 分页大小}}
    - {{name: page_token, type: string, description: 分页标记}}
  response:
    fields:
      - {{name: items, type: array, items: Item{i}, description: 记录}}
      - {{name: has_more, type: bool, description: 是否还有更多}}
      - {{name: page_token, type: string, description: 分页标记}}
    pagination: {{items: items, has_more: has_more, token: page_token}}
"
        )
        + &types(i)
}
