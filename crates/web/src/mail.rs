//! Outgoing e-mail over SMTP (lettre). Plain SMTP only (`smtp://host:port`, optionally with
//! `user:password@`): point it at the organisation's relay. With no mailer configured, links are
//! shown to the administrator to hand over instead.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// `url` like `smtp://relay.kommun.se:25`; `from` like `Löfte <lofte@kommun.se>`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let bad = || format!("ogiltig SMTP-adress {url:?}: skriv smtp://[användare:lösenord@]värd[:port]");
        let rest = url.strip_prefix("smtp://").ok_or_else(bad)?;
        let rest = rest.trim_end_matches('/');
        let (credentials, host_port) = match rest.rsplit_once('@') {
            Some((userinfo, hp)) => {
                let (user, password) = userinfo.split_once(':').ok_or_else(bad)?;
                (Some(lettre::transport::smtp::authentication::Credentials::new(user.into(), password.into())), hp)
            }
            None => (None, rest),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
            None => (host_port, 25),
        };
        if host.is_empty() {
            return Err(bad());
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
        if let Some(c) = credentials {
            builder = builder.credentials(c);
        }
        let transport = builder.build();
        let from = from.parse::<Mailbox>().map_err(|e| format!("ogiltig avsändare {from:?}: {e}"))?;
        Ok(Mailer { transport, from })
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to = to.parse::<Mailbox>().map_err(|e| format!("ogiltig mottagare: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("meddelandet kunde inte skapas: {e}"))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| format!("e-post kunde inte skickas: {e}"))
    }
}
