"""Character-level language models (lesson 06): a vocabulary, an LSTM that predicts the next
character, its loss, baselines to beat, and sampling at a temperature.

A text is a 1-D array of character indices; ``windows`` cuts it into (inputs, targets) pairs of
shape (n, T), the targets shifted by one character. The model returns scores (n, T, V) for the
next character at every position; ``next_char_loss`` is their mean cross-entropy in nats.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.backprop import softmax


@dataclass(frozen=True)
class Vocabulary:
    """Characters <-> integer indices. chars: the symbols, index k is chars[k]."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars) or not self.chars:
            raise ValueError(f"chars must be distinct and non-empty, got {self.chars!r}")

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Indices (len(text),) int64; a character outside the vocabulary raises ValueError."""
        index = {c: k for k, c in enumerate(self.chars)}
        for position, char in enumerate(text):
            if char not in index:
                raise ValueError(
                    f"text[{position}] = {char!r} is not in the vocabulary; "
                    f"expected one of {''.join(self.chars)!r}"
                )
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, indices: Sequence[int] | np.ndarray) -> str:
        """The text of the indices (n,)."""
        return "".join(self.chars[int(k)] for k in np.asarray(indices).ravel())


def vocabulary_of(text: str) -> Vocabulary:
    """The sorted distinct characters of ``text``."""
    return Vocabulary(tuple(sorted(set(text))))


def one_hot(indices: Sequence[int] | np.ndarray, size: int) -> np.ndarray:
    """One-hot rows. indices: (T,) ints in [0, size) -> (T, size) float64."""
    indices = np.asarray(indices)
    if indices.ndim != 1:
        raise ValueError(f"indices must be 1-D (T,), got shape {indices.shape}")
    if indices.size and (indices.min() < 0 or indices.max() >= size):
        raise ValueError(f"indices must lie in [0, {size}), got {indices.min()}..{indices.max()}")
    out = np.zeros((len(indices), size))
    out[np.arange(len(indices)), indices] = 1.0
    return out


def held_out_split(indices: np.ndarray, fraction: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The text (N,) without its last ``fraction``, and that contiguous tail, held out."""
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must lie strictly between 0 and 1, got {fraction}")
    n_held = max(1, int(len(indices) * fraction))
    return indices[:-n_held], indices[-n_held:]


def windows(
    text: torch.Tensor, length: int, stride: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows of ``length`` characters every ``stride`` (default: length, no overlap).

    text: (N,) int64 -> inputs (n, length) and targets (n, length), targets[:, t] = the
    character after inputs[:, t].
    """
    stride = stride or length
    if len(text) <= length:
        raise ValueError(f"text must be longer than length={length}, got {len(text)} characters")
    starts = torch.arange(0, len(text) - length, stride)
    pieces = torch.stack([text[s : s + length + 1] for s in starts.tolist()])
    return pieces[:, :-1], pieces[:, 1:]


class CharLSTM(nn.Module):
    """One-hot characters -> LSTM -> linear scores for the next character."""

    def __init__(self, vocab_size: int, n_hidden: int = 128, n_layers: int = 1) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.lstm = nn.LSTM(vocab_size, n_hidden, num_layers=n_layers, batch_first=True)
        self.readout = nn.Linear(n_hidden, vocab_size)

    def run(self, ids: torch.Tensor, state: tuple | None = None) -> tuple[torch.Tensor, tuple]:
        """ids: (n, T) int64 -> scores (n, T, V) and the LSTM's state (h, c) after step T."""
        out, state = self.lstm(F.one_hot(ids, self.vocab_size).float(), state)
        return self.readout(out), state

    def forward(self, indices: torch.Tensor) -> torch.Tensor:
        """Scores (n, T, V) for the next character at every position, from the zero state."""
        return self.run(indices)[0]


def next_char_loss(scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats per character). scores: (n, T, V), targets: (n, T) int64."""
    return F.cross_entropy(scores.transpose(1, 2), targets)


def unigram_loss(train: np.ndarray, held_out: np.ndarray, vocab_size: int) -> float:
    """Held-out loss (nats per character) of guessing by character frequency alone.

    train, held_out: (N,), (n,) indices; p(c) = (count of c in train + 1) / (N + V).
    """
    p = (np.bincount(train, minlength=vocab_size) + 1) / (len(train) + vocab_size)
    return float(-np.mean(np.log(p[held_out])))


def sample(
    model: CharLSTM,
    vocab: Vocabulary,
    prompt: str,
    n_chars: int,
    *,
    temperature: float,
    seed: int,
) -> str:
    """Extend prompt by n_chars characters, each drawn from softmax(scores / temperature)."""
    if temperature <= 0 or not prompt:
        raise ValueError(f"need a prompt and temperature > 0, got {prompt!r} and {temperature}")
    generator, chars = torch.Generator().manual_seed(seed), []
    with torch.no_grad():
        scores, state = model.run(torch.from_numpy(vocab.encode(prompt))[None])
        for _ in range(n_chars):
            probs = softmax(scores[0, -1].double().numpy() / temperature)
            index = torch.multinomial(torch.from_numpy(probs), 1, generator=generator)
            chars.append(vocab.chars[index.item()])
            scores, state = model.run(index[None], state)
    return "".join(chars)


def novel_fraction(sample: str, corpus: str, n: int = 10) -> float:
    """Fraction of the sample's length-n windows that do not occur anywhere in ``corpus``."""
    windows = [sample[k : k + n] for k in range(len(sample) - n + 1)]
    if not windows:
        raise ValueError(f"sample must have at least n={n} characters, got {len(sample)}")
    return sum(w not in corpus for w in windows) / len(windows)


def words_of(text: str) -> set[str]:
    """The distinct words (runs of letters) of ``text``."""
    return set(re.findall(r"[A-Za-z]+", text))


def known_word_fraction(sample: str, known: set[str]) -> float:
    """Fraction of the sample's words (runs of letters) that are in ``known`` (see ``words_of``)."""
    words = re.findall(r"[A-Za-z]+", sample)
    if not words:
        raise ValueError(f"sample must contain at least one word, got {sample!r}")
    return sum(w in known for w in words) / len(words)
