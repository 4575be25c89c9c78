//! `kith completions SHELL` (with person names) and the hidden `kith man`.

use crate::ctx::emit;
use crate::error::{Error, Result, exit};
use clap_complete::Shell;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A command's own page (`kith man log`); default: kith's page.
    pub command: Option<String>,
    /// Write every page (kith.1, kith-new.1, …) into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// Commands whose first argument is a person, and flags whose value is one.
const PERSON_COMMANDS: &str = "log show done edit history";
const PERSON_FLAGS: &str = "--for --around --attendee";
/// Flags that take a value, so the word after them is not a positional.
const VALUE_FLAGS: &str = "--vault --color --date --title --as-of --entries --for --around --attendee --depth --format --limit --since --until --person --tag --kind --location --circle --org --role";

/// `cli` is the whole command line's definition (`Cli::command()`), passed
/// in so commands do not depend on `cli.rs`, which depends on them.
pub fn run(args: &Args, mut cli: clap::Command) -> Result<u8> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "kith", &mut out);
    let mut script = String::from_utf8_lossy(&out).into_owned();
    // clap's script knows the flags; person names come from the vault at
    // completion time, through the hidden `kith list --names`.
    match args.shell {
        Shell::Bash => {
            // clap's registration of `_kith` ends its script; ours replaces it.
            if let Some(i) = script.rfind("\nif [[ \"${BASH_VERSINFO") {
                script.truncate(i + 1);
            }
            script = script
                .lines()
                .filter(|l| !l.starts_with("complete -F _kith"))
                .collect::<Vec<_>>()
                .join("\n");
            script.push_str(&bash_people());
        }
        Shell::Zsh => {
            const TAIL: &str = "if [ \"$funcstack[1]\" = \"_kith\" ]; then\n    _kith \"$@\"\nelse\n    compdef _kith kith\nfi";
            let people = zsh_people();
            if script.contains(TAIL) {
                script = script.replace(
                    TAIL,
                    &format!("{people}\nif [ \"$funcstack[1]\" = \"_kith\" ]; then\n    compdef _kith_people kith\n    _kith_people \"$@\"\nelse\n    compdef _kith_people kith\nfi"),
                );
            } else {
                script.push_str(&people);
                script.push_str("\ncompdef _kith_people kith\n");
            }
        }
        Shell::Fish => {
            script.push_str(&format!(
                "complete -c kith -n \"__fish_seen_subcommand_from {PERSON_COMMANDS}\" -f -a \"(kith list --names 2>/dev/null)\"\n"
            ));
            for flag in PERSON_FLAGS.split(' ') {
                script.push_str(&format!(
                    "complete -c kith -l {} -x -a \"(kith list --names 2>/dev/null)\"\n",
                    &flag[2..]
                ));
            }
        }
        _ => {}
    }
    emit(&script)?;
    Ok(exit::OK)
}

fn bash_people() -> String {
    format!(
        r#"

# Person names, from the vault, where a command takes a person.
_kith_people() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local i w sub="" npos=0 skip=0 want=0
    local -a vault=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if ((skip)); then skip=0; continue; fi
        case " {VALUE_FLAGS} " in
            *" $w "*) skip=1; [[ "$w" == --vault ]] && vault=(--vault "${{COMP_WORDS[i+1]}}"); continue ;;
        esac
        case "$w" in
            -*) ;;
            *) if [[ -z "$sub" ]]; then sub="$w"; else npos=$((npos + 1)); fi ;;
        esac
    done
    case " {PERSON_FLAGS} " in *" $prev "*) want=1 ;; esac
    if ((npos == 0)) && [[ "$cur" != -* ]]; then
        case " {PERSON_COMMANDS} " in *" $sub "*) want=1 ;; esac
    fi
    if ((want)); then
        local name lc
        cur="${{cur#[\"\']}}"
        lc="${{cur,,}}"
        COMPREPLY=()
        while IFS= read -r name; do
            [[ "${{name,,}}" == "$lc"* ]] && COMPREPLY+=("$(printf '%q' "$name")")
        done < <(kith "${{vault[@]}}" list --names 2>/dev/null)
        return 0
    fi
    _kith "$@"
}}

if [[ "${{BASH_VERSINFO[0]}}" -eq 4 && "${{BASH_VERSINFO[1]}}" -ge 4 || "${{BASH_VERSINFO[0]}}" -gt 4 ]]; then
    complete -F _kith_people -o nosort -o bashdefault -o default kith
else
    complete -F _kith_people -o bashdefault -o default kith
fi
"#
    )
}

fn zsh_people() -> String {
    format!(
        r#"
# Person names, from the vault, where a command takes a person.
_kith_people() {{
    local i w sub="" npos=0 skip=0
    local -a people
    for ((i = 2; i < CURRENT; i++)); do
        w=${{words[i]}}
        if ((skip)); then skip=0; continue; fi
        if [[ " {VALUE_FLAGS} " == *" $w "* ]]; then skip=1; continue; fi
        [[ $w == -* ]] && continue
        if [[ -z $sub ]]; then sub=$w; else npos=$((npos + 1)); fi
    done
    if [[ " {PERSON_FLAGS} " == *" ${{words[CURRENT-1]}} "* ]] ||
        {{ ((npos == 0)) && [[ " {PERSON_COMMANDS} " == *" $sub "* && ${{words[CURRENT]}} != -* ]] }}; then
        people=("${{(@f)$(kith list --names 2>/dev/null)}}")
        compadd -a people
        return
    fi
    _kith "$@"
}}
"#
    )
}

/// `kith man [COMMAND] [--dir DIR]`: roff manual pages from the same
/// definitions as `--help`.
pub fn man(args: &ManArgs, cli: clap::Command) -> Result<u8> {
    let mut cmd = cli.disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        clap_mangen::generate_to(cmd, dir).map_err(|e| Error::io(dir, e))?;
        emit(&format!("wrote the manual pages to {}\n", dir.display()))?;
        return Ok(exit::OK);
    }
    let page = match &args.command {
        Some(name) => cmd
            .find_subcommand(name)
            .filter(|c| !c.is_hide_set())
            .cloned()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no command `{name}`\n  hint: `kith --help` lists the commands"
                ))
            })?,
        None => cmd,
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Error::io("<stdout>", e))?;
    emit(&String::from_utf8_lossy(&out))?;
    Ok(exit::OK)
}
