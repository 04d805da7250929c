//! A real terminal: tmux runs the host at 80x24, a person presses Ctrl-C,
//! and the screen must be left as a shell expects it.

use std::process::Command;
use std::time::Duration;

use host_tests::*;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Tmux {
        let socket = format!("host-test-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "80",
                "-y",
                "24",
                "-s",
                "t",
            ])
            .arg(command)
            .status()
            .expect("tmux is needed for the terminal tests (apt-get install tmux)");
        assert!(status.success());
        Tmux { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        text(&out.stdout)
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits (bounded) until the screen shows `what`.
    fn wait_for(&self, what: &str) -> String {
        for _ in 0..1000 {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the screen never showed {what:?}:\n{}", self.screen());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn ctrl_c_in_a_real_terminal_restores_it_and_exits_130() {
    let host = host_bin();
    let tmux = Tmux::start(&format!(
        "env HOME=/nonexistent CLICOLOR_FORCE=1 {} -m cargo --seed 4 -s 3; echo \"EXIT=$?\"; sleep 60",
        host.display()
    ));
    tmux.wait_for("Compiling");
    tmux.tmux(&["send-keys", "-t", "t", "C-c"]);
    let screen = tmux.wait_for("EXIT=");
    let exit_line = screen.lines().find(|l| l.contains("EXIT=")).unwrap();
    assert_eq!(
        exit_line, "EXIT=130",
        "the shell's next output must start on a fresh line:\n{screen}"
    );
    assert_eq!(
        tmux.tmux(&["display", "-p", "-t", "t", "#{cursor_flag}"])
            .trim(),
        "1",
        "cursor hidden"
    );
    // With escapes shown, the line after the host has no colour or
    // attribute left over.
    let styled = tmux.tmux(&["capture-pane", "-p", "-e", "-t", "t"]);
    let exit_styled = styled.lines().find(|l| l.contains("EXIT=")).unwrap();
    assert!(
        exit_styled.starts_with("EXIT=130"),
        "attributes leak into the prompt: {exit_styled:?}"
    );
    // The module was drawing and colouring: this is the case that matters.
    assert!(
        styled.contains("\x1b["),
        "expected colour on screen:\n{styled}"
    );
}
