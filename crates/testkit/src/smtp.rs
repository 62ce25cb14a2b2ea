//! A minimal SMTP server on loopback that accepts every message and keeps its text, so tests
//! can read what Löfte mailed. It speaks just enough SMTP for lettre (EHLO, MAIL, RCPT, DATA,
//! QUIT).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Default)]
pub struct FakeSmtp {
    pub addr: Option<SocketAddr>,
    messages: Arc<Mutex<Vec<String>>>,
}

impl FakeSmtp {
    pub async fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind smtp: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("smtp addr: {e}"));
        let messages: Arc<Mutex<Vec<String>>> = Arc::default();
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                    let mut data = false;
                    let mut message = String::new();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if data {
                            if line == "." {
                                data = false;
                                if let Ok(mut m) = store.lock() {
                                    m.push(std::mem::take(&mut message));
                                }
                                let _ = write.write_all(b"250 OK\r\n").await;
                            } else {
                                message.push_str(&line);
                                message.push('\n');
                            }
                            continue;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250 fake\r\n"
                        } else if upper.starts_with("DATA") {
                            data = true;
                            b"354 go ahead\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 OK\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        FakeSmtp { addr: Some(addr), messages }
    }

    pub fn url(&self) -> String {
        self.addr.map(|a| format!("smtp://{a}")).unwrap_or_default()
    }

    /// Waits (up to 10 s) until at least `n` messages have arrived, and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let got = self.messages.lock().map(|m| m.clone()).unwrap_or_default();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} mails, got {:?}", self.messages.lock().map(|m| m.len()));
    }

    pub fn count(&self) -> usize {
        self.messages.lock().map(|m| m.len()).unwrap_or(0)
    }
}
