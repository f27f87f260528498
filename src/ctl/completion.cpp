#include "completion.h"

#include <QStringList>

#include "commandtable.h"
#include "help.h"

namespace spool::ctl {

namespace {

QStringList commandNames()
{
    QStringList names;
    for (const CommandHelp &c : commands())
        names << c.name;
    return names;
}

QStringList optionWords(const QList<OptionHelp> &options)
{
    QStringList words;
    for (const OptionHelp &option : options)
        words << QStringLiteral("--") + option.name;
    return words;
}

QStringList kindOptionWords(const JobKind &kind)
{
    QStringList words;
    for (const ParamSpec &spec : kind.params) {
        if (!spec.hidden && !spec.positional)
            words << QStringLiteral("--") + help::optionName(spec.name);
    }
    for (const OptionHelp &option : findCommand(QStringLiteral("add"))->options) {
        if (option.name != QLatin1String("from") || help::takesLists(kind))
            words << QStringLiteral("--") + option.name;
    }
    return words;
}

// The words to offer, by command (and kind for `add`), as the arms of a shell `case`; each arm
// sets the list through `set`, e.g. "words=\"%1\"" (bash) or "offer=(%1)" (zsh).
QString caseArms(const JobKindRegistry &kinds, const QString &set)
{
    QString kindArms;
    for (const QString &name : kinds.names())
        kindArms += QStringLiteral("            %1) %2 ;;\n")
                        .arg(name, set.arg(kindOptionWords(*kinds.find(name)).join(u' ')));
    QString arms = QStringLiteral("        '') %1 ;;\n")
                       .arg(set.arg((commandNames() + optionWords(globalOptions())).join(u' ')));
    arms += QStringLiteral("        add)\n            case $kind in\n            '') %1 ;;\n%2"
                           "            esac ;;\n")
                .arg(set.arg(kinds.names().join(u' ')), kindArms);
    for (const CommandHelp &c : commands()) {
        QStringList words = optionWords(c.options);
        if (c.name == QLatin1String("help"))
            words << commandNames();
        if (c.name == QLatin1String("completion"))
            words << QStringLiteral("bash zsh fish");
        if (c.name != QLatin1String("add"))
            arms += QStringLiteral("        %1) %2 ;;\n").arg(c.name, set.arg(words.join(u' ')));
    }
    return arms;
}

// Finds the command (and kind) among the words before the cursor: `$w[i]` for i from `first`.
QString scan(const QString &word, const QString &first, const QString &last)
{
    return QStringLiteral(
        "    for ((i = %1; i < %2; i++)); do\n"
        "        case %3 in\n"
        "            --data-dir|--queue) ((i++)) ;;\n"
        "            -*) ;;\n"
        "            *) if [[ -z $command ]]; then command=%3\n"
        "               elif [[ $command == add && -z $kind ]]; then kind=%3; fi ;;\n"
        "        esac\n"
        "    done\n")
        .arg(first, last, word);
}

QString bash(const JobKindRegistry &kinds)
{
    return QStringLiteral("# bash completion for spoolctl, made by `spoolctl completion bash`\n"
                          "_spoolctl()\n{\n"
                          "    local cur=${COMP_WORDS[COMP_CWORD]} command= kind= words= i\n")
        + scan(
            QStringLiteral("${COMP_WORDS[i]}"), QStringLiteral("1"), QStringLiteral("COMP_CWORD"))
        + QStringLiteral("    case $command in\n") + caseArms(kinds, QStringLiteral("words=\"%1\""))
        + QStringLiteral("    esac\n"
                         "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
                         "}\n"
                         "complete -o default -F _spoolctl spoolctl\n");
}

QString zsh(const JobKindRegistry &kinds)
{
    return QStringLiteral("#compdef spoolctl\n"
                          "# zsh completion for spoolctl, made by `spoolctl completion zsh`\n"
                          "local command= kind= i\nlocal -a offer\n")
        + scan(QStringLiteral("${words[i]}"), QStringLiteral("2"), QStringLiteral("CURRENT"))
        + QStringLiteral("case $command in\n") + caseArms(kinds, QStringLiteral("offer=(%1)"))
        + QStringLiteral("esac\ncompadd -a offer\n_files\n");
}

QString fishQuote(QString text)
{
    return QLatin1Char('\'')
        + text.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
              .replace(QLatin1Char('\''), QStringLiteral("\\'"))
        + QLatin1Char('\'');
}

QString fishOption(
    const QString &condition, const QString &name, const QString &description, bool takesValue)
{
    return QStringLiteral("complete -c spoolctl -n %1 -l %2%3 -d %4\n")
        .arg(fishQuote(condition), name, takesValue ? QStringLiteral(" -rF") : QString(),
            fishQuote(description));
}

QString fish(const JobKindRegistry &kinds)
{
    QString text = QStringLiteral("# fish completion for spoolctl, made by `spoolctl completion "
                                  "fish`\ncomplete -c spoolctl -f\n");
    for (const OptionHelp &option : globalOptions())
        text += fishOption(QStringLiteral("__fish_use_subcommand"), option.name, option.description,
            !option.valueName.isEmpty());
    const QString allKinds = kinds.names().join(u' ');
    for (const CommandHelp &c : commands()) {
        text += QStringLiteral("complete -c spoolctl -n __fish_use_subcommand -a %1 -d %2\n")
                    .arg(c.name, fishQuote(c.summary));
        const QString seen = QStringLiteral("__fish_seen_subcommand_from ") + c.name;
        if (c.name != QLatin1String("add")) {
            for (const OptionHelp &option : c.options)
                text +=
                    fishOption(seen, option.name, option.description, !option.valueName.isEmpty());
        }
    }
    for (const QString &name : kinds.names()) {
        const JobKind *kind = kinds.find(name);
        text += QStringLiteral("complete -c spoolctl -n %1 -a %2 -d %3\n")
                    .arg(fishQuote(QStringLiteral("__fish_seen_subcommand_from add; and not "
                                                  "__fish_seen_subcommand_from ")
                             + allKinds),
                        name, fishQuote(kind->description));
        const QString seen = QStringLiteral("__fish_seen_subcommand_from ") + name;
        for (const ParamSpec &spec : kind->params) {
            if (!spec.hidden && !spec.positional)
                text += fishOption(seen, help::optionName(spec.name), spec.description,
                    spec.type != ParamType::Boolean);
        }
    }
    return text;
}

} // namespace

QString completionScript(const QString &shell, const JobKindRegistry &kinds)
{
    if (shell == QLatin1String("bash"))
        return bash(kinds);
    if (shell == QLatin1String("zsh"))
        return zsh(kinds);
    if (shell == QLatin1String("fish"))
        return fish(kinds);
    return {};
}

} // namespace spool::ctl
