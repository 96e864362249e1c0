// SPDX-License-Identifier: MIT
#include "build/script_import.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "base/time_text.h"

namespace lfsw {

namespace {

// A script's file: its number (501 in 501-binutils-pass1) and the page name
// after it.
struct Numbered {
    long number = 0;
    std::string name;
    std::string page;
    std::filesystem::path path;
};

// "501-binutils-pass1" -> 501 and "binutils-pass1"; nothing for a name that
// is not a number, a dash and a name.
std::optional<std::pair<long, std::string>> splitNumber(const std::string& name)
{
    std::size_t digits = 0;
    while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits])))
        ++digits;
    if (digits == 0 || digits > 6 || digits + 1 >= name.size() || name[digits] != '-')
        return std::nullopt;
    return std::make_pair(std::stol(name.substr(0, digits)), name.substr(digits + 1));
}

// The numbered scripts of one directory, checked: regular, executable, no
// symlink out of `tree`, a name a step can take.
Expected<std::vector<Numbered>> readNumbered(const std::filesystem::path& directory,
                                             const std::filesystem::path& tree)
{
    std::vector<Numbered> scripts;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
        const std::string name = entry.path().filename().string();
        const std::string where = entry.path().string();
        if (name.front() == '.')
            continue;
        if (name.find_first_of(" \t\n") != std::string::npos)
            return Unexpected(where + ": a script's name becomes its step's name, which cannot "
                                      "hold a space");
        auto number = splitNumber(name);
        if (!number)
            return Unexpected(where + ": not a numbered script (expected NNN-name, such as "
                                      "501-binutils-pass1)");
        struct stat link {
        };
        if (::lstat(entry.path().c_str(), &link) != 0)
            return Unexpected(where + ": cannot read it");
        if (S_ISLNK(link.st_mode)) {
            const auto target = std::filesystem::weakly_canonical(entry.path(), error);
            const auto relative = target.lexically_relative(tree);
            if (error || relative.empty() || *relative.begin() == "..")
                return Unexpected(where + ": a symlink out of the tree (to " + target.string() +
                                  ")");
        }
        struct stat info {
        };
        if (::stat(entry.path().c_str(), &info) != 0 || !S_ISREG(info.st_mode))
            return Unexpected(where + ": not a regular file");
        if (::access(entry.path().c_str(), X_OK) != 0)
            return Unexpected(where + ": not executable (chmod +x it, as jhalfs does)");
        scripts.push_back({number->first, name, number->second, entry.path()});
    }
    if (error)
        return Unexpected(directory.string() + ": cannot read it: " + error.message());
    std::sort(scripts.begin(), scripts.end(),
              [](const auto& a, const auto& b) { return a.number < b.number; });
    return scripts;
}

// A YAML single-quoted scalar: nothing in it is read as YAML.
std::string yamlQuoted(const std::string& text)
{
    std::string quoted = "'";
    for (char c : text)
        quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
}

// Quoted for bash: the script's path as one word.
std::string shellWord(const std::string& text)
{
    std::string quoted = "'";
    for (char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// Why jhalfs leaves a page out by default; empty: it runs it.
std::string leftOutByDefault(const std::string& page, long chapter)
{
    if (page == "stripping")
        return "stripping is off in jhalfs's defaults (the book calls it optional)";
    if (chapter == 10 && page == "kernel")
        return "jhalfs builds the kernel only when given a kernel config";
    if (chapter == 10 && page == "grub")
        return "jhalfs does not set up GRUB: it would change how this machine boots";
    if (page == "kernfs")
        return "the supervisor mounts the book's virtual file systems for each chroot step in "
               "the step's own mount namespace, and they are gone after it; mounted from a "
               "script they would stay on the host";
    if (page == "chroot")
        return "entering the chroot is what chroot: true does for every CHROOT and BOOT step";
    return "";
}

// The step that runs one script of a phase as jhalfs runs it.
Expected<PlanStep> stepFor(const Numbered& script, const std::string& phase,
                           const std::filesystem::path& buildRoot)
{
    PlanStep step;
    step.name = script.name;
    step.shell = "/bin/bash";
    const std::string path = shellWord(script.path.string());
    if (phase == "LUSER") {
        step.user = "lfs";
        step.cleanEnv = true;
        if (script.page == "settingenvironment") {
            // The page ends with `source ~/.bash_profile`, whose exec env -i
            // would replace the shell: a no-op here. The LFS=/mnt/lfs it writes
            // into the lfs user's files becomes the build root.
            step.run = "cd ~\nsource() { :; }\nexport -f source\n" + path +
                       "\nfor file in ~/.bash_profile ~/.bashrc; do\n"
                       "  [ ! -f \"$file\" ] || sed -i \"s|/mnt/lfs|$LFS|g\" \"$file\"\n"
                       "done\n";
        } else {
            step.run = "source ~/.bashrc && " + path + "\n";
        }
        return step;
    }
    if (phase == "CHROOT" || phase == "BOOT") {
        const auto inside = script.path.lexically_relative(buildRoot);
        if (inside.empty() || *inside.begin() == "..")
            return Unexpected(script.path.string() + ": a chroot step runs inside the build root " +
                              buildRoot.string() +
                              ", where this script is not; put the jhalfs tree in the build root "
                              "(jhalfs keeps it in $LFS/jhalfs)");
        step.chroot = true;
        step.run = shellWord("/" + inside.string()) + "\n";
        return step;
    }
    if (script.page == "addinguser")
        // An lfs user that exists is kept: useradd and groupadd do nothing
        // then. The sources directory is the lfs user's to write, as the
        // book's chapter 3 makes it (chmod a+wt).
        step.run = "[ ! -d \"$LFS/sources\" ] || chmod a+wt \"$LFS/sources\"\n"
                   "if getent passwd lfs >/dev/null; then\n"
                   "  useradd() { echo \"keeping the existing user lfs\"; }\n"
                   "  groupadd() { :; }\n"
                   "  export -f useradd groupadd\n"
                   "fi\n" +
                   path + "\n";
    else
        step.run = path + "\n";
    return step;
}

// Keeps the scripts from `from` to `to`; takes in what `include` names.
Expected<std::vector<ScriptImport::Script>> select(std::vector<ScriptImport::Script> all,
                                                   const ScriptImport::Options& options)
{
    auto find = [&all](const std::string& name) {
        return std::find_if(all.begin(), all.end(),
                            [&name](const auto& script) { return script.name == name; });
    };
    for (const auto& name : options.include) {
        auto it = find(name);
        if (it == all.end())
            return Unexpected("--include " + name + ": no script of that name in the tree");
        it->leftOut.clear();
    }
    auto first = all.begin();
    auto last = all.end();
    if (!options.from.empty() && (first = find(options.from)) == all.end())
        return Unexpected("--from " + options.from + ": no script of that name in the tree");
    if (!options.to.empty()) {
        auto to = find(options.to);
        if (to == all.end())
            return Unexpected("--to " + options.to + ": no script of that name in the tree");
        if (to < first)
            return Unexpected("--to " + options.to + " comes before --from " + options.from);
        last = to + 1;
    }
    return std::vector<ScriptImport::Script>(first, last);
}

// "# lfs-wrapper: user=lfs chroot clean_env" in the first lines of a script.
void applyHeader(const std::filesystem::path& file, PlanStep& step)
{
    std::ifstream in(file);
    std::string line;
    for (int lines = 0; lines < 10 && std::getline(in, line); ++lines) {
        const std::string marker = "# lfs-wrapper:";
        if (line.rfind(marker, 0) != 0)
            continue;
        std::istringstream words(line.substr(marker.size()));
        for (std::string word; words >> word;) {
            if (word.rfind("user=", 0) == 0)
                step.user = word.substr(5);
            else if (word == "chroot")
                step.chroot = true;
            else if (word == "clean_env")
                step.cleanEnv = true;
        }
    }
}

} // namespace

Expected<std::vector<ScriptImport::Script>>
ScriptImport::jhalfs(const std::filesystem::path& directory, const Options& options)
{
    std::error_code error;
    const auto tree = std::filesystem::canonical(directory, error);
    if (error || !std::filesystem::is_directory(tree / "lfs-commands"))
        return Unexpected(directory.string() +
                          ": no lfs-commands/ directory (plan import jhalfs takes the jhalfs "
                          "directory, usually $LFS/jhalfs)");
    std::map<long, std::filesystem::path> chapters;
    for (const auto& entry : std::filesystem::directory_iterator(tree / "lfs-commands", error)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_directory() || name.rfind("chapter", 0) != 0 || name.size() == 7 ||
            name.find_first_not_of("0123456789", 7) != std::string::npos)
            continue;
        chapters[std::stol(name.substr(7))] = entry.path();
    }
    std::vector<std::pair<long, Numbered>> ordered;
    std::map<long, std::string> numbers;
    for (const auto& [chapter, path] : chapters) {
        auto scripts = readNumbered(path, tree);
        if (!scripts)
            return Unexpected(scripts.error());
        for (auto& script : *scripts) {
            if (auto [it, fresh] = numbers.emplace(script.number, script.path.string()); !fresh)
                return Unexpected(script.path.string() + ": the same number as " + it->second +
                                  " (two scripts cannot take one place in the order)");
            ordered.emplace_back(chapter, std::move(script));
        }
    }
    if (ordered.empty())
        return Unexpected((tree / "lfs-commands").string() + ": no chapterNN/NNN-name scripts");
    std::vector<Script> all;
    std::string phase = "SETUP";
    for (const auto& [chapter, script] : ordered) {
        if (script.page == "settingenvironment")
            phase = "LUSER";
        else if (script.page == "changingowner")
            phase = "SUDO";
        else if (script.page == "creatingdirs")
            phase = "CHROOT";
        else if (phase == "CHROOT" && (script.page == "bootscripts" || script.page == "network"))
            phase = "BOOT";
        auto step = stepFor(script, phase, std::filesystem::absolute(options.buildRoot));
        if (!step)
            return Unexpected(step.error());
        // jhalfs's envars: the book's test suites write to TEST_LOG, one file
        // per page in the tree's test-logs/ (seen from inside the root by a
        // chroot step).
        const auto testLog = tree / "test-logs" / script.name;
        step->env["TEST_LOG"] =
            step->chroot
                ? "/" + testLog.lexically_relative(std::filesystem::absolute(options.buildRoot))
                            .string()
                : testLog.string();
        step->run = "mkdir -p \"${TEST_LOG%/*}\" 2>/dev/null || true\n" + step->run;
        // As jhalfs's Makefile does after addinguser: the tree is everyone's
        // to write (the lfs user's test logs, its envars).
        if (script.page == "addinguser")
            step->run += "chmod -R a+wt " + shellWord(tree.string()) + "\n";
        all.push_back({script.name, script.path, phase, std::move(*step),
                       leftOutByDefault(script.page, chapter)});
    }
    return select(std::move(all), options);
}

Expected<std::vector<ScriptImport::Script>>
ScriptImport::scripts(const std::filesystem::path& directory, const Options& options)
{
    std::error_code error;
    const auto tree = std::filesystem::canonical(directory, error);
    if (error || !std::filesystem::is_directory(tree))
        return Unexpected(directory.string() + ": not a directory");
    auto numbered = readNumbered(tree, tree);
    if (!numbered)
        return Unexpected(numbered.error());
    std::vector<Script> all;
    for (std::size_t i = 0; i < numbered->size(); ++i) {
        const auto& script = (*numbered)[i];
        if (i > 0 && (*numbered)[i - 1].number == script.number)
            return Unexpected(script.path.string() + ": the same number as " +
                              (*numbered)[i - 1].path.string());
        PlanStep header;
        applyHeader(script.path, header);
        Expected<PlanStep> step = stepFor(script, header.chroot ? "CHROOT" : "SETUP",
                                          std::filesystem::absolute(options.buildRoot));
        if (!step)
            return Unexpected(step.error());
        if (!header.user.empty()) {
            step->user = header.user;
            step->cleanEnv = header.cleanEnv;
        }
        all.push_back({script.name, script.path, "", std::move(*step), ""});
    }
    if (all.empty())
        return Unexpected(tree.string() + ": no NNN-name scripts");
    return select(std::move(all), options);
}

std::string ScriptImport::planText(const std::vector<Script>& scripts,
                                   const std::string& description)
{
    static const std::map<std::string, std::string> kWho = {
        {"SETUP", "root on the host"},
        {"LUSER", "the lfs user on the host"},
        {"SUDO", "root on the host"},
        {"CHROOT", "root inside the build root"},
        {"BOOT", "root inside the build root"}};
    std::ostringstream text;
    std::size_t leftOut = 0;
    bool lfsUser = false;
    for (const auto& script : scripts) {
        leftOut += script.leftOut.empty() ? 0 : 1;
        lfsUser = lfsUser || (script.leftOut.empty() && script.step.user == "lfs");
    }
    text << "# " << description << "\n"
         << "# on " << isoUtc(std::chrono::system_clock::now()) << ": " << scripts.size() - leftOut
         << " steps"
         << (leftOut ? ", " + std::to_string(leftOut) + " scripts left out (below)" : "")
         << ". Each step runs its script unmodified, by its path, with bash.\n";
    if (lfsUser)
        text << "# The lfs user is made by a step of the plan (the book's addinguser page).\n"
             << "users: [lfs]\n";
    text << "steps:\n";
    for (const auto& script : scripts) {
        if (!script.leftOut.empty()) {
            text << "  # left out: " << script.name << ": " << script.leftOut << " (--include "
                 << script.name << " takes it)\n";
            continue;
        }
        const auto& step = script.step;
        text << "  - name: " << step.name;
        if (!script.phase.empty())
            text << "  # " << script.phase << ": " << kWho.at(script.phase);
        text << "\n";
        if (!step.user.empty())
            text << "    user: " << step.user << "\n";
        if (step.cleanEnv)
            text << "    clean_env: true\n";
        if (step.chroot)
            text << "    chroot: true\n";
        if (!step.env.empty()) {
            text << "    env:\n";
            for (const auto& [name, value] : step.env)
                text << "      " << name << ": " << yamlQuoted(value) << "\n";
        }
        text << "    shell: bash\n    run: |\n";
        std::istringstream lines(step.run);
        for (std::string line; std::getline(lines, line);)
            text << "      " << line << "\n";
    }
    return text.str();
}

} // namespace lfsw
