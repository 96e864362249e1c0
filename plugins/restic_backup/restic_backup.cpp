// SPDX-License-Identifier: MIT
// The "restic" backup backend: for sites that keep backups off the machine
// (S3, SFTP, a REST server: anything restic reaches). It runs Debian's restic
// binary with the repository and password file of `backup.restic`; restic's
// own error messages reach the user as they are.
#include <chrono>
#include <string>
#include <vector>

#include <unistd.h>

#include <lfsw/command_runner.h>
#include <lfsw/plugin.h>

#include <nlohmann/json.hpp>

namespace {

std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct Run {
    bool ok = false;
    std::string output; // stdout and stderr, as restic printed them
};

class ResticBackend final : public lfsw::BackupBackend
{
public:
    std::string name() const override { return "restic"; }
    std::string description() const override
    {
        return "Backups in a restic repository (backup.restic: repository, password_file)";
    }

    lfsw::Result create(const std::vector<std::string>& paths, const std::vector<std::string>& tags,
                        lfsw::Context& context) override
    {
        if (auto problem = ensureRepository(context))
            return lfsw::Result::failed(*problem);
        std::string command = "restic backup --host " + quoted(host(context));
        for (const auto& tag : tags)
            command += " --tag " + quoted(tag);
        command += " --";
        for (const auto& path : paths)
            command += " " + quoted(path);
        auto run = restic(command, context);
        if (!run.ok)
            return failed("restic backup", run);
        // "snapshot 1a2b3c4d saved" (earlier lines may say "parent snapshot").
        std::string id = "?";
        const auto saved = run.output.rfind(" saved");
        const auto at = saved == std::string::npos ? saved : run.output.rfind("snapshot ", saved);
        if (at != std::string::npos)
            id = run.output.substr(at + 9, saved - at - 9);
        return lfsw::Result::done("restic snapshot " + id + " saved");
    }

    lfsw::Result list(std::vector<lfsw::BackupSnapshot>& snapshots, lfsw::Context& context) override
    {
        const std::string snapshotsOfHost = "restic snapshots --host " + quoted(host(context));
        auto run = restic(snapshotsOfHost + " --json", context, false);
        if (!run.ok) {
            auto again = restic(snapshotsOfHost, context);
            return failed("restic snapshots", again);
        }
        try {
            for (const auto& item : nlohmann::json::parse(run.output)) {
                lfsw::BackupSnapshot snapshot;
                snapshot.id = item.value("short_id", "");
                snapshot.time = item.value("time", "");
                snapshot.tags = item.value("tags", std::vector<std::string>{});
                snapshot.paths = item.value("paths", std::vector<std::string>{});
                snapshots.push_back(std::move(snapshot));
            }
        } catch (const std::exception& e) {
            return lfsw::Result::failed(std::string("cannot read restic's snapshot list: ") +
                                        e.what());
        }
        return lfsw::Result::done(std::to_string(snapshots.size()) + " snapshots");
    }

    lfsw::Result verify(const std::string&, lfsw::Context& context) override
    {
        auto run = restic("restic check --read-data", context);
        if (!run.ok)
            return failed("restic check --read-data", run);
        return lfsw::Result::done("restic check --read-data: no errors were found");
    }

    lfsw::Result restore(const std::string& id, const std::vector<std::string>& include,
                         const std::string& target, lfsw::Context& context) override
    {
        std::string command = "restic restore " + quoted(id) + " --target " + quoted(target);
        for (const auto& path : include)
            command += " --include " + quoted(path);
        auto run = restic(command, context);
        if (!run.ok)
            return failed("restic restore", run);
        return lfsw::Result::done("restic restored " + id + " to " + target);
    }

    lfsw::Result prune(std::chrono::seconds keepWithin, lfsw::Context& context) override
    {
        // restic counts in hours at the finest.
        const auto hours = (keepWithin.count() + 3599) / 3600;
        auto run = restic("restic forget --prune --host " + quoted(host(context)) +
                              " --keep-last 1 --keep-within " + std::to_string(hours) + "h",
                          context);
        if (!run.ok)
            return failed("restic forget --prune", run);
        return lfsw::Result::done("restic forget --prune --keep-within " + std::to_string(hours) +
                                  "h: done");
    }

private:
    // The name this machine's snapshots carry: a repository shared by a
    // fleet holds every machine's, and list, latest and prune see only ours.
    static std::string host(lfsw::Context& context)
    {
        if (auto name = context.setting("backup.restic.host"); name && !name->empty())
            return *name;
        char name[256] = "";
        ::gethostname(name, sizeof name - 1);
        return name;
    }

    static lfsw::Result failed(const std::string& what, const Run& run)
    {
        std::string text = run.output;
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
            text.pop_back();
        // restic may exit before it relays ssh's own complaint: say where to look.
        if (text.find("unable to start the sftp session") != std::string::npos &&
            text.find("ost key") == std::string::npos)
            text += " (ssh could not open a session: check the server's host key in known_hosts, "
                    "the user and the key, e.g. with ssh -o BatchMode=yes to the same host)";
        return lfsw::Result::failed(what + " failed: " + text);
    }

    // Initialises a repository that does not exist yet (a first backup).
    std::optional<std::string> ensureRepository(lfsw::Context& context)
    {
        if (restic("restic cat config", context).ok)
            return std::nullopt;
        auto init = restic("restic init", context);
        if (!init.ok)
            return failed("restic init", init).message();
        context.log(lfsw::LogLevel::Info, "initialised the restic repository");
        return std::nullopt;
    }

    // Runs a restic command; its stderr is kept with its stdout unless
    // `mergeErrors` is false (JSON output).
    Run restic(std::string command, lfsw::Context& context, bool mergeErrors = true)
    {
        lfsw::CommandRunner::Options options;
        options.timeout = std::chrono::hours(24);
        options.grace = std::chrono::seconds(10);
        const auto repository = context.setting("backup.restic.repository").value_or("");
        const auto passwordFile = context.setting("backup.restic.password_file").value_or("");
        if (repository.empty()) {
            Run run;
            run.output = "backup.restic.repository is not set";
            return run;
        }
        options.environment["RESTIC_REPOSITORY"] = repository;
        if (!passwordFile.empty())
            options.environment["RESTIC_PASSWORD_FILE"] = passwordFile;
        // backup.restic.options: restic's -o (sftp.command=..., s3.connections=...).
        std::string extra;
        for (const auto& option : context.settingList("backup.restic.options"))
            extra += " -o " + quoted(option);
        const std::string line = command.insert(std::string_view("restic").size(), extra);
        Run run;
        auto outcome = lfsw::CommandRunner().run(
            line + (mergeErrors ? " 2>&1" : " 2>/dev/null"), options,
            [&](std::string_view line) { run.output += std::string(line) + "\n"; });
        run.ok = outcome.succeeded();
        if (!outcome.started)
            run.output = outcome.summary();
        return run;
    }
};

} // namespace

LFSW_PLUGIN("restic_backup", "1.0.0", "The restic backup backend")
{
    registry.addBackupBackend(std::make_shared<ResticBackend>());
}
