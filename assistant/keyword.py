"""The keyword index: BM25 (bm25s) over the same chunks Chroma holds.

It is tied to a library *generation* (a hash of the current document versions): built when a
commit changes the library, saved next to it, and loaded as it is on restart. A reader that finds
no index for the current generation (a crash between the registry switch and the build) builds
it once from the chunk files. So the keyword and vector indexes always describe the same
documents: the versions the registry lists.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.text import STOPWORDS, stem, tokens


def keyword_tokens(text: str) -> list[str]:
    return [stem(t) for t in tokens(text) if t not in STOPWORDS and len(t) > 1]


class KeywordIndex:
    """One generation's BM25 index and the chunk ids in its order."""

    def __init__(self, generation: str, model: Any, ids: list[str]) -> None:
        self.generation = generation
        self.model = model
        self.ids = ids
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}

    @classmethod
    def build(cls, generation: str, ids: Sequence[str], texts: Sequence[str]) -> KeywordIndex:
        import bm25s

        model = bm25s.BM25()
        corpus = [keyword_tokens(t) or ["_"] for t in texts]
        if corpus:
            model.index(corpus, show_progress=False)
        return cls(generation, model, list(ids))

    def save(self, root: Path) -> None:
        """Write to root/<generation> atomically: a private temp folder renamed into place, so
        processes saving at once never see each other's half-written files."""
        root.mkdir(parents=True, exist_ok=True)
        final = root / self.generation
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{self.generation}.", suffix=".tmp"))
        try:
            if self.ids:
                self.model.save(str(tmp), show_progress=False)
            (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
            if final.exists():  # another process saved the same generation first
                return
            try:
                tmp.rename(final)
            except OSError:  # ... or just now
                return
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for other in root.iterdir():
            if other.name == self.generation or (other.name.startswith(".") and _recent(other)):
                continue  # the index in use, or another process's save in progress
            shutil.rmtree(other, ignore_errors=True)

    @classmethod
    def load(cls, root: Path, generation: str) -> KeywordIndex | None:
        import bm25s

        folder = root / generation
        try:
            ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
            model = bm25s.BM25.load(str(folder), show_progress=False) if ids else bm25s.BM25()
        except (OSError, ValueError):  # missing, or removed by another process meanwhile
            return None
        return cls(generation, model, ids)

    def document_frequency(self, term: str) -> int:
        """In how many chunks a (stemmed) term occurs; 0 if the library never uses it."""
        if not self.ids:
            return 0
        position = self.model.vocab_dict.get(term)
        indptr = self.model.scores["indptr"]
        if position is None or position + 1 >= len(indptr):
            return 0
        return int(indptr[position + 1] - indptr[position])

    def _postings(self, term: str) -> Any:
        position = self.model.vocab_dict.get(term)
        indptr = self.model.scores["indptr"]
        if position is None or position + 1 >= len(indptr):
            return None
        return self.model.scores["indices"][indptr[position] : indptr[position + 1]]

    def together(self, terms: set[str], others: set[str]) -> float:
        """The share of chunks holding any of `terms` that also hold one of `others` (stemmed
        key terms): how much the library discusses the two subjects together. 1.0 when it never
        mentions `terms`: a word the library does not know (often a misspelling) is no sign
        that the subject has changed."""
        import numpy as np

        if not self.ids:
            return 0.0
        found = [p for p in (self._postings(t) for t in terms) if p is not None]
        if not found:
            return 1.0
        mine = np.unique(np.concatenate(found))
        theirs = [p for p in (self._postings(t) for t in others) if p is not None]
        if not theirs:
            return 0.0
        both = np.intersect1d(mine, np.unique(np.concatenate(theirs)), assume_unique=True)
        return float(len(both) / len(mine))

    def search(
        self, query: str, k: int, allowed: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) best first, only among `allowed` chunk ids if given."""
        import numpy as np

        if not self.ids:
            return []
        vocab = self.model.vocab_dict
        terms = [t for t in keyword_tokens(query) if t in vocab]
        if not terms:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            for chunk_id in allowed:
                pos = self.position.get(chunk_id)
                if pos is not None:
                    mask[pos] = 1.0
        k = min(k, len(self.ids))
        docs, scores = self.model.retrieve(
            [terms], k=k, show_progress=False, n_threads=1, weight_mask=mask
        )
        return [
            (self.ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]


def _recent(path: Path, seconds: float = 3600) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False
