"""Builds the sentence corpus for the demo model from English prose shipped in Debian packages.

Sources (unpacked with `dpkg -x` into work/textroot by prepare.sh): fortunes, fortunes-min (quotes, jokes, literature),
python3.11-doc (reStructuredText sources of the Python documentation) and debian-reference-en (HTML). Sentences are
kept only if a TTS voice reads them the way they are written: no digits, no acronyms in capitals, no symbols.

Output: work/sentences.tsv with `spoken<TAB>label` rows, shuffled with a fixed seed and split into train/held-out
by a hash of the label so the split is stable when sources change.
"""

import hashlib
import html
import random
import re
import sys
from pathlib import Path

WORK = Path(__file__).resolve().parent / "work"
ROOT = WORK / "textroot"
ALLOWED = re.compile(r"^[A-Za-z ,.;:'!?\-]+$")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def label_of(spoken: str) -> str:
    """Transcript the model learns: lower case letters, apostrophes and single spaces."""
    text = spoken.lower().replace("-", " ")
    text = re.sub(r"[^a-z' ]", " ", text)
    text = re.sub(r"(^| )'+|'+( |$)", " ", text)  # quotes, not contractions
    return re.sub(r" +", " ", text).strip()


def acceptable(sentence: str) -> bool:
    if not ALLOWED.match(sentence):
        return False
    words = sentence.split()
    if not 3 <= len(words) <= 22:
        return False
    for word in words:
        core = word.strip(",.;:'!?-")
        if len(core) >= 2 and core.isupper():
            return False  # acronyms are spelled out by TTS, their label would not match
        if len(core) > 18 or "--" in word:
            return False
    return True


def paragraphs_from_fortunes():
    for path in sorted((ROOT / "usr/share/games/fortunes").glob("*")):
        if path.suffix or path.is_dir():
            continue
        for block in path.read_text("utf-8", "replace").split("\n%\n"):
            lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not ln.strip().startswith("--")]
            yield " ".join(lines)


def paragraphs_from_rst():
    for path in sorted((ROOT / "usr/share/doc/python3.11/html/_sources").rglob("*.txt")):
        text = path.read_text("utf-8", "replace")
        for block in text.split("\n\n"):
            if block.startswith((" ", "..", "\t")) or "::" in block or "`" in block or "*" in block:
                continue
            yield " ".join(block.split())


def paragraphs_from_html():
    for path in sorted((ROOT / "usr/share/debian-reference").glob("*.en.html")):
        text = path.read_text("utf-8", "replace")
        for para in re.findall(r"<p>(.*?)</p>", text, flags=re.S):
            if "<code" in para or "<span" in para:
                continue
            yield " ".join(html.unescape(re.sub(r"<[^>]+>", " ", para)).split())


def main():
    seen = set()
    rows = []
    for source, paragraphs in (
        ("fortunes", paragraphs_from_fortunes()),
        ("pydoc", paragraphs_from_rst()),
        ("debref", paragraphs_from_html()),
    ):
        count = 0
        for para in paragraphs:
            para = para.replace("\u2019", "'").replace('"', "").replace("(", "").replace(")", "")
            for sentence in SENTENCE_END.split(para):
                sentence = sentence.strip()
                if not acceptable(sentence):
                    continue
                label = label_of(sentence)
                if len(label) < 10 or label in seen:
                    continue
                seen.add(label)
                rows.append((sentence, label))
                count += 1
        print(f"{source}: {count} sentences", file=sys.stderr)
    random.Random(1234).shuffle(rows)
    out = WORK / "sentences.tsv"
    with out.open("w") as f:
        for spoken, label in rows:
            bucket = int(hashlib.sha1(label.encode()).hexdigest()[:8], 16) % 100
            split = "heldout" if bucket < 3 else "train"
            f.write(f"{split}\t{spoken}\t{label}\n")
    print(f"{len(rows)} sentences -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
