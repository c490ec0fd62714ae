"""The Dockerfile read as Docker reads it: instructions with continuation lines joined, grouped by stage, so the
tests use the Dockerfile's own build command, package list and paths rather than copies of them."""
import re
import shlex

from support import read


class Stage:
    def __init__(self, base, name):
        self.base = base
        self.name = name
        self.instructions = []

    def all(self, keyword):
        return [argument for instruction, argument in self.instructions if instruction == keyword]

    def last(self, keyword):
        found = self.all(keyword)
        assert found, f"the {self.name or self.base} stage has no {keyword}"
        return found[-1]


def instructions(text):
    """(KEYWORD, argument) pairs, comments dropped and `\\` continuations joined."""
    logical, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    result = []
    for line in logical:
        keyword, _, argument = line.partition(" ")
        result.append((keyword.upper(), argument.strip()))
    return result


def stages(text=None):
    result = []
    for keyword, argument in instructions(text if text is not None else read("Dockerfile")):
        if keyword == "FROM":
            match = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", argument, re.I)
            result.append(Stage(match.group(1), match.group(2)))
        elif result:
            result[-1].instructions.append((keyword, argument))
    return result


def runtime_stage():
    return stages()[-1]


def build_stage():
    return stages()[0]


def shell_commands(run_argument):
    """The `&&`-separated commands of a RUN, each split into words."""
    return [shlex.split(part) for part in run_argument.split("&&")]


def swift_build_command():
    """The release `swift build` of the build stage, as words."""
    for run in build_stage().all("RUN"):
        for words in shell_commands(run):
            if words[:2] == ["swift", "build"] and "--show-bin-path" not in words:
                return words
    raise AssertionError("the build stage has no `swift build`")


def runtime_packages():
    """The Debian packages the runtime stage installs."""
    packages = []
    for run in runtime_stage().all("RUN"):
        for words in shell_commands(run):
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1 :]
                packages += [word for word in after if not word.startswith("-")]
    assert packages, "the runtime stage installs no packages"
    return packages
