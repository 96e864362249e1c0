// SPDX-License-Identifier: MIT
// checkpoint create | list | show | diff | restore | delete | gc
#include <cstring>
#include <iomanip>
#include <iostream>

#include <unistd.h>

#include <lfsw/units.h>

#include "build/build_tree.h"
#include "checkpoint_access.h"
#include "command.h"
#include "progress_bar.h"
#include "session.h"
#include "store/tar_export.h"
#include "store/tar_import.h"

namespace po = boost::program_options;

namespace lfsw::host {

namespace {

int create(Session& session, const po::variables_map& values)
{
    if (!std::filesystem::is_directory(session.config().buildRoot())) {
        std::cerr << "lfs-wrapper: checkpoint create: the build root "
                  << session.config().buildRoot().string() << " does not exist\n";
        return kExitFailed;
    }
    session.createStateDirectory();
    BuildTree tree(session.config(), session.stateDirectory());
    if (session.buildRunning())
        std::cerr << "warning: a build is running: the checkpoint may catch a step half-way\n";
    std::vector<std::string> tags;
    if (values.count("tag"))
        tags = values["tag"].as<std::vector<std::string>>();
    const std::string name = values["name"].as<std::string>();
    ProgressBar bar("checkpoint " + name);
    auto manifest = tree.store().create(name, tree.root(), tree.walkOptions(),
                                        values.count("good") > 0, tags, bar.callback());
    std::cout << "checkpoint " << manifest.name << " (" << manifest.id
              << "): " << manifest.entryCount << " paths, "
              << formatBytes(manifest.totalBytes()) << ", " << formatBytes(manifest.newBytes)
              << " new to the store\n";
    return kExitOk;
}

int list(Session& session, const po::variables_map& values)
{
    const bool json = values.count("json") != 0;
    if (!std::filesystem::is_directory(session.stateDirectory() / "store")) {
        if (json)
            printJson(nlohmann::json::array());
        else
            std::cout << "no checkpoints\n";
        return kExitOk;
    }
    BuildTree tree(session.config(), session.stateDirectory());
    std::vector<std::string> problems;
    auto manifests = tree.store().list(&problems);
    auto lastGood = tree.store().find("last-good");
    if (json) {
        nlohmann::json listed = nlohmann::json::array();
        for (const auto& m : manifests) {
            std::size_t files = 0;
            for (const auto& e : m.entries)
                files += e.type == 'f';
            listed.push_back({{"id", m.id},
                              {"name", m.name},
                              {"created", m.created},
                              {"root", m.root},
                              {"paths", m.entries.size()},
                              {"files", files},
                              {"bytes", m.totalBytes()},
                              {"new_bytes", m.newBytes},
                              {"tags", m.tags},
                              {"good", m.good},
                              {"last_good", lastGood && lastGood->id == m.id}});
        }
        printJson(listed);
        for (const auto& problem : problems)
            std::cerr << "error: " << problem << "\n";
        return problems.empty() ? kExitOk : kExitFailed;
    }
    std::cout << std::left << std::setw(8) << "ID" << std::setw(22) << "NAME" << std::setw(26)
              << "CREATED" << std::setw(8) << "FILES" << std::setw(12) << "BYTES" << std::setw(12)
              << "NEW"
              << "TAGS\n";
    for (const auto& m : manifests) {
        std::string tags;
        if (lastGood && lastGood->id == m.id)
            tags = "last-good";
        for (const auto& tag : m.tags)
            tags += (tags.empty() ? "" : ",") + tag;
        if (m.good && tags.find("last-good") == std::string::npos)
            tags += (tags.empty() ? "" : ",") + std::string("good");
        std::size_t files = 0;
        for (const auto& e : m.entries)
            files += e.type == 'f';
        std::cout << std::left << std::setw(8) << m.id << std::setw(22) << m.name << std::setw(26)
                  << m.created << std::setw(8) << files << std::setw(12)
                  << formatBytes(m.totalBytes()) << std::setw(12) << formatBytes(m.newBytes) << tags
                  << "\n";
    }
    for (const auto& problem : problems)
        std::cerr << "error: " << problem << "\n";
    return problems.empty() ? kExitOk : kExitFailed;
}

int show(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    auto manifest = findCheckpointOrSay(tree, values["name"].as<std::string>());
    if (!manifest)
        return kExitFailed;
    std::cout << "checkpoint " << manifest->name << " (" << manifest->id << ")\n"
              << "  created: " << manifest->created << "\n  root:    " << manifest->root
              << "\n  good:    " << (manifest->good ? "yes (taken after a successful step)" : "no")
              << "\n  parent:  " << (manifest->parent.empty() ? "-" : manifest->parent)
              << "\n  paths:   " << manifest->entries.size() << ", "
              << formatBytes(manifest->totalBytes()) << "\n\n";
    for (const auto& e : manifest->entries) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", e.mode & 07777);
        std::cout << e.type << " " << mode << " " << e.uid << ":" << e.gid << " " << std::setw(10)
                  << std::right << e.size << std::left << " " << e.path;
        if (e.type == 'l')
            std::cout << " -> " << e.target;
        if (!e.linkGroup.empty())
            std::cout << " (hardlink of " << e.linkGroup << ")";
        std::cout << "\n";
    }
    return kExitOk;
}

int diff(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    auto from = findCheckpointOrSay(tree, values["from"].as<std::string>());
    if (!from)
        return kExitFailed;
    Manifest to;
    if (values.count("live")) {
        ProgressBar bar("scan");
        to = CheckpointStore::scan(tree.root(), tree.walkOptions(), values.count("thorough") > 0,
                                   bar.callback());
    } else if (values.count("to")) {
        auto other = findCheckpointOrSay(tree, values["to"].as<std::string>());
        if (!other)
            return kExitFailed;
        to = *other;
    } else {
        std::cerr << "lfs-wrapper: checkpoint diff needs a second checkpoint or --live\n";
        return kExitUsage;
    }
    auto differences =
        CheckpointStore::diff(*from, to, !values.count("live") || values.count("thorough"));
    printDifferences(differences);
    std::cout << differences.size() << " difference" << (differences.size() == 1 ? "" : "s")
              << "\n";
    return kExitOk;
}

int restore(Session& session, const po::variables_map& values)
{
    return rewind(session, values["name"].as<std::string>(), "checkpoint restore");
}

int remove(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    auto manifest = findCheckpointOrSay(tree, values["name"].as<std::string>());
    if (!manifest)
        return kExitFailed;
    tree.store().remove(*manifest);
    std::cout << "deleted checkpoint " << manifest->name << " (" << manifest->id
              << "); lfs-wrapper checkpoint gc frees the objects only it used\n";
    return kExitOk;
}

int gc(Session& session, const po::variables_map&)
{
    if (!haveStore(session))
        return kExitFailed;
    BuildTree tree(session.config(), session.stateDirectory());
    ProgressBar bar("gc");
    auto freed = tree.store().gc(bar.callback());
    std::cout << "gc: freed " << formatBytes(freed) << " of objects no checkpoint uses\n";
    return kExitOk;
}

int exportTar(Session& session, const po::variables_map& values)
{
    if (!haveStore(session))
        return kExitFailed;
    const std::filesystem::path file = values["file"].as<std::string>();
    if (!TarExport::compressionOf(file)) {
        std::cerr << "lfs-wrapper: checkpoint export: " << file.string()
                  << ": the name says how to compress: end it in .tar, .tar.zst, .tar.xz or "
                     ".tar.gz\n";
        return kExitUsage;
    }
    BuildTree tree(session.config(), session.stateDirectory());
    auto manifest = findCheckpointOrSay(tree, values["name"].as<std::string>());
    if (!manifest)
        return kExitFailed;
    ProgressBar bar("export " + manifest->name);
    std::uint64_t size = 0;
    try {
        size = TarExport::write(tree.store(), *manifest, file, bar.callback());
    } catch (const std::exception& e) {
        std::cerr << "lfs-wrapper: checkpoint export: " << e.what() << "; " << file.string()
                  << " was not written\n";
        return kExitFailed;
    }
    std::cout << "exported checkpoint " << manifest->name << " (" << manifest->id << ") to "
              << file.string() << ": " << manifest->entries.size() << " paths, "
              << formatBytes(manifest->totalBytes()) << " of files, " << formatBytes(size)
              << " written\n";
    return kExitOk;
}

int importTar(Session& session, const po::variables_map& values)
{
    const std::filesystem::path file = values["file"].as<std::string>();
    std::string name;
    if (values.count("name")) {
        name = values["name"].as<std::string>();
    } else {
        // lfs-temp-tools.tar.xz → lfs-temp-tools
        name = file.filename().string();
        for (const char* end :
             {".tar.zst", ".tar.xz", ".tar.gz", ".tar.bz2", ".tzst", ".txz", ".tgz", ".tar"})
            if (name.size() > std::strlen(end) &&
                name.compare(name.size() - std::strlen(end), std::string::npos, end) == 0) {
                name.resize(name.size() - std::strlen(end));
                break;
            }
    }
    if (name.empty() || name.find_first_of(" \t\n/") != std::string::npos) {
        std::cerr << "lfs-wrapper: checkpoint import: '" << name
                  << "' cannot name a checkpoint (no spaces or slashes); give one with --name\n";
        return kExitUsage;
    }
    session.createStateDirectory();
    BuildTree tree(session.config(), session.stateDirectory());
    ProgressBar bar("import " + file.filename().string());
    Manifest manifest;
    try {
        manifest = TarImport::read(tree.store(), file, name, tree.root(), bar.callback());
    } catch (const std::exception& e) {
        std::cerr << "lfs-wrapper: checkpoint import: " << e.what() << "\n";
        return kExitFailed;
    }
    std::cout << "imported " << file.string() << " as checkpoint " << manifest.name << " ("
              << manifest.id << ") of " << tree.root().string() << ": " << manifest.entries.size()
              << " paths, " << formatBytes(manifest.totalBytes()) << ", "
              << formatBytes(manifest.newBytes)
              << " new to the store; lfs-wrapper checkpoint restore " << manifest.id
              << " brings the tree back\n";
    return kExitOk;
}

} // namespace

void addCheckpointCommands(std::vector<Command>& commands)
{
    auto name = [](po::options_description& options,
                   po::positional_options_description& positional) {
        options.add_options()("name", po::value<std::string>()->required(),
                              "checkpoint: name, id, tag or last-good");
        positional.add("name", 1);
    };
    commands.push_back(
        {"checkpoint create", "NAME [--tag TAG]... [--good]", "Take a checkpoint of the build tree",
         "Incremental: files unchanged since the newest checkpoint (same inode, size,\n"
         "mtime and ctime, and not modified in the last seconds) are not read again.",
         ConfigNeed::Full,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("name", po::value<std::string>()->required(), "name")(
                 "tag", po::value<std::vector<std::string>>()->value_name("TAG"),
                 "tag, e.g. baseline (repeatable)")(
                 "good", "a last-good candidate (the tree is known to be good)");
             positional.add("name", 1);
         },
         create});
    commands.push_back({"checkpoint list", "[--json]",
                        "List checkpoints: name, created, files, bytes, bytes new to the store", "",
                        ConfigNeed::Structural, flagOption("json", kJsonHelp), list});
    commands.push_back({"checkpoint show", "NAME", "Show a checkpoint and every path in it", "",
                        ConfigNeed::Structural, name, show});
    commands.push_back(
        {"checkpoint diff", "A (B | --live [--thorough])",
         "Differences between two checkpoints, or a checkpoint and the live tree", "",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("from", po::value<std::string>()->required(),
                                   "first checkpoint")("to", po::value<std::string>(),
                                                       "second checkpoint")(
                 "live", "compare with the live build tree")(
                 "thorough", "with --live: compare content hashes too");
             positional.add("from", 1).add("to", 1);
         },
         diff});
    commands.push_back(
        {"checkpoint restore", "NAME|last-good", "Revert the build tree in place to a checkpoint",
         "Rewrites only what differs, removes what the checkpoint does not have, fixes\n"
         "owners, modes, xattrs and mtimes. Never follows a symlink of the live tree.\n"
         "Refused while a build runs, and for a checkpoint of another build root.",
         ConfigNeed::Structural, name, restore});
    commands.push_back({"checkpoint delete", "NAME", "Delete a checkpoint (gc frees its objects)",
                        "", ConfigNeed::Structural, name, remove});
    commands.push_back({"checkpoint gc", "", "Remove objects that no checkpoint uses", "",
                        ConfigNeed::Structural, nullptr, gc});
    commands.push_back(
        {"checkpoint export", "NAME FILE", "Write a checkpoint as a standard tar archive",
         "POSIX pax with numeric owners, nanosecond mtimes, xattrs (security.capability\n"
         "too), hardlinks, symlinks, devices, FIFOs and sparse files kept sparse,\n"
         "compressed as FILE's name says: .tar, .tar.zst, .tar.xz or .tar.gz. Streamed\n"
         "from the store, each file checked against its hash; written to a temporary\n"
         "name, synced and renamed. GNU tar --xattrs -xpf FILE gives the tree back.",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("name", po::value<std::string>()->required(),
                                   "checkpoint: name, id, tag or last-good")(
                 "file", po::value<std::string>()->required(), "archive to write");
             positional.add("name", 1).add("file", 1);
         },
         exportTar});
    commands.push_back(
        {"checkpoint import", "FILE [--name NAME]",
         "Add a tar archive to the store as a checkpoint of the build root",
         "From checkpoint export, or the book's own `tar -cJpf` backup of $LFS, on this\n"
         "machine or another; checkpoint restore then brings the tree back. Entries\n"
         "with an absolute path or \"..\", hardlinks to what the archive does not hold,\n"
         "symlinks that climb out of the root, paths beneath a symlink, and anything\n"
         "that is not a tar refuse the whole archive: nothing is added. --name: the\n"
         "checkpoint's name (default: the file's name without .tar.*).",
         ConfigNeed::Structural,
         [](po::options_description& options, po::positional_options_description& positional) {
             options.add_options()("file", po::value<std::string>()->required(), "archive to read")(
                 "name", po::value<std::string>()->value_name("NAME"), "checkpoint name");
             positional.add("file", 1);
         },
         importTar});
}

} // namespace lfsw::host
