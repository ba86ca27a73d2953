//! The tokens and app_tickets the fake issues, and its auth v3 endpoints: tenant and
//! app tokens for a self-built app, an app token from an app_ticket and a tenant's token
//! from it for a marketplace app, and the app_ticket resend.

use std::collections::{HashMap, VecDeque};

use serde_json::{Value, json};

use crate::spec::TokenKind;

/// The lifetime of every token the fake issues: the platform's usual two hours.
const EXPIRE_SECS: i64 = 7200;
/// Wrong app id or secret.
pub(crate) const APP_SECRET_INVALID: i64 = 10014;
/// An app_ticket the fake did not issue.
pub(crate) const APP_TICKET_INVALID: i64 = 10012;
/// An app token the fake did not issue, in a tenant token request.
pub(crate) const APP_TOKEN_INVALID: i64 = 99991664;
/// Most tenant and app tokens kept valid at once, and most app_tickets: the oldest are
/// forgotten first, so a flood of token requests cannot grow the fake without bound.
/// Far above what a test holds at once.
pub(crate) const MAX_ISSUED: usize = 10_000;

/// What a token the fake issued is.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub kind: TokenKind,
    /// The tenant of a marketplace app's tenant token.
    pub tenant_key: Option<String>,
}

/// The tokens and app_tickets issued, the latest [`MAX_ISSUED`] of each kind.
#[derive(Debug)]
pub(crate) struct Tokens {
    issued: HashMap<String, Issued>,
    /// The tenant and app tokens in `issued`, oldest first, for forgetting the oldest;
    /// the user token is not in it and stays.
    order: VecDeque<String>,
    tickets: VecDeque<String>,
    /// Makes this fake's tokens differ from another fake's: a token from elsewhere is
    /// foreign here, as on the platform.
    salt: u32,
    minted: u64,
    pub user_token: String,
}

impl Tokens {
    pub fn new() -> Tokens {
        let mut tokens = Tokens {
            issued: HashMap::new(),
            order: VecDeque::new(),
            tickets: VecDeque::new(),
            salt: fastrand::u32(..),
            minted: 0,
            user_token: String::new(),
        };
        tokens.user_token = tokens.issue(TokenKind::User, None);
        tokens.new_ticket();
        tokens
    }

    fn mint(&mut self, prefix: &str) -> String {
        self.minted += 1;
        format!("{prefix}-fake{:08x}{:06}", self.salt, self.minted)
    }

    pub fn issue(&mut self, kind: TokenKind, tenant_key: Option<String>) -> String {
        let prefix = match kind {
            TokenKind::Tenant => "t",
            TokenKind::App => "a",
            TokenKind::User => "u",
        };
        let token = self.mint(prefix);
        if kind != TokenKind::User {
            if self.order.len() == MAX_ISSUED
                && let Some(oldest) = self.order.pop_front()
            {
                self.issued.remove(&oldest);
            }
            self.order.push_back(token.clone());
        }
        self.issued
            .insert(token.clone(), Issued { kind, tenant_key });
        token
    }

    pub fn lookup(&self, token: &str) -> Option<&Issued> {
        self.issued.get(token)
    }

    /// Forgets every tenant and app token (the user token stays).
    pub fn revoke(&mut self) {
        self.issued.retain(|_, t| t.kind == TokenKind::User);
        self.order.clear();
    }

    /// Issues a new app_ticket; earlier ones stay valid, the latest [`MAX_ISSUED`].
    pub fn new_ticket(&mut self) -> String {
        let ticket = self.mint("ticket");
        if self.tickets.len() == MAX_ISSUED {
            self.tickets.pop_front();
        }
        self.tickets.push_back(ticket.clone());
        ticket
    }

    pub fn latest_ticket(&self) -> &str {
        self.tickets.back().map_or("", String::as_str)
    }
}

/// A refused token request: the code and what was wrong.
pub(crate) type Refusal = (i64, String);

/// Answers the auth endpoint `endpoint` for a body that fits its schema: the flat
/// payload (token and expiry), or a refusal. `None` for any other endpoint.
pub(crate) fn answer(
    endpoint: &str,
    body: &Value,
    app: (&str, &str),
    tokens: &mut Tokens,
) -> Option<Result<Value, Refusal>> {
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("");
    let credentials = || {
        if (text("app_id"), text("app_secret")) == app {
            Ok(())
        } else {
            Err((
                APP_SECRET_INVALID,
                "app_id and app_secret are not the fake's (FakeFeishu::app_id, app_secret)"
                    .to_owned(),
            ))
        }
    };
    let token = |field: &str, token: String| json!({field: token, "expire": EXPIRE_SECS});
    let outcome = match endpoint {
        "auth.v3.tenant_access_token.internal" => credentials()
            .map(|()| token("tenant_access_token", tokens.issue(TokenKind::Tenant, None))),
        "auth.v3.app_access_token.internal" => {
            credentials().map(|()| token("app_access_token", tokens.issue(TokenKind::App, None)))
        }
        "auth.v3.app_access_token.create" => credentials().and_then(|()| {
            if !tokens.tickets.iter().any(|t| t == text("app_ticket")) {
                return Err((
                    APP_TICKET_INVALID,
                    "not an app_ticket this fake issued (FakeFeishu::app_ticket)".to_owned(),
                ));
            }
            Ok(token(
                "app_access_token",
                tokens.issue(TokenKind::App, None),
            ))
        }),
        "auth.v3.tenant_access_token.create" => {
            let app_token = tokens.lookup(text("app_access_token"));
            if app_token.is_some_and(|t| t.kind == TokenKind::App) {
                let tenant = Some(text("tenant_key").to_owned());
                Ok(token(
                    "tenant_access_token",
                    tokens.issue(TokenKind::Tenant, tenant),
                ))
            } else {
                Err((
                    APP_TOKEN_INVALID,
                    "app_access_token is not one this fake issued".to_owned(),
                ))
            }
        }
        "auth.v3.app_ticket.resend" => credentials().map(|()| {
            tokens.new_ticket();
            json!({})
        }),
        _ => return None,
    };
    Some(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: (&str, &str) = ("cli_x", "secret");

    #[test]
    fn the_marketplace_flow_issues_a_tenant_token_for_the_tenant() {
        let mut tokens = Tokens::new();
        let ticket = tokens.latest_ticket().to_owned();
        let app = answer(
            "auth.v3.app_access_token.create",
            &json!({"app_id": "cli_x", "app_secret": "secret", "app_ticket": ticket}),
            APP,
            &mut tokens,
        )
        .unwrap()
        .unwrap();
        let app_token = app["app_access_token"].as_str().unwrap();
        let tenant = answer(
            "auth.v3.tenant_access_token.create",
            &json!({"app_access_token": app_token, "tenant_key": "tk"}),
            APP,
            &mut tokens,
        )
        .unwrap()
        .unwrap();
        let issued = tokens
            .lookup(tenant["tenant_access_token"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            (issued.kind, issued.tenant_key.as_deref()),
            (TokenKind::Tenant, Some("tk"))
        );
    }

    #[test]
    fn wrong_credentials_tickets_and_tokens_are_refused() {
        let mut tokens = Tokens::new();
        let code = |id: &str, body: Value, tokens: &mut Tokens| {
            answer(id, &body, APP, tokens).unwrap().unwrap_err().0
        };
        let wrong = json!({"app_id": "cli_x", "app_secret": "nope"});
        assert_eq!(
            code("auth.v3.tenant_access_token.internal", wrong, &mut tokens),
            APP_SECRET_INVALID
        );
        let ticket = json!({"app_id": "cli_x", "app_secret": "secret", "app_ticket": "forged"});
        assert_eq!(
            code("auth.v3.app_access_token.create", ticket, &mut tokens),
            APP_TICKET_INVALID
        );
        let tenant = tokens.issue(TokenKind::Tenant, None);
        let body = json!({"app_access_token": tenant, "tenant_key": "tk"});
        assert_eq!(
            code("auth.v3.tenant_access_token.create", body, &mut tokens),
            APP_TOKEN_INVALID
        );
        assert!(answer("x.v1.y.z", &json!({}), APP, &mut tokens).is_none());
    }

    #[test]
    fn a_flood_of_tokens_and_tickets_keeps_the_latest() {
        let mut tokens = Tokens::new();
        let user = tokens.user_token.clone();
        let first = tokens.issue(TokenKind::Tenant, None);
        let first_ticket = tokens.latest_ticket().to_owned();
        let mut last = String::new();
        let mut last_ticket = String::new();
        for _ in 0..MAX_ISSUED {
            last = tokens.issue(TokenKind::App, None);
            last_ticket = tokens.new_ticket();
        }
        assert_eq!(
            tokens.issued.len(),
            MAX_ISSUED + 1,
            "the latest, and the user token"
        );
        assert_eq!(tokens.order.len(), MAX_ISSUED);
        assert_eq!(tokens.tickets.len(), MAX_ISSUED);
        assert!(tokens.lookup(&first).is_none(), "the oldest is forgotten");
        assert!(!tokens.tickets.contains(&first_ticket));
        assert!(tokens.lookup(&last).is_some());
        assert_eq!(tokens.latest_ticket(), last_ticket);
        assert_eq!(tokens.lookup(&user).unwrap().kind, TokenKind::User);
        tokens.revoke();
        assert_eq!((tokens.issued.len(), tokens.order.len()), (1, 0));
        assert!(tokens.lookup(&user).is_some());
    }
}
