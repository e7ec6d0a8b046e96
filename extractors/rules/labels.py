"""Clean labels for amounts whose item is `other`, cut into words with jieba.

A clause label can carry words that belong to the sentence, not to the amount
(`其中包括专项业务经费`, `我办共有资产`). Stripping them word by word, rather than by
characters, keeps terms such as 公用经费 or 固定资产净值 whole; jieba's user
dictionary (schemas/vocab/jieba_userdict.txt) holds the field's terms for that.
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from importlib import resources

from schemas.vocab import vocab


@lru_cache(maxsize=1)
def _tokenizer():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42 imports the deprecated pkg_resources
        import jieba
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    with resources.files("schemas").joinpath("vocab", "jieba_userdict.txt").open("rb") as handle:
        tokenizer.load_userdict(handle)
    return tokenizer


def clean_label(label: str) -> str:
    """The label without leading sentence words, numbering and punctuation."""
    text = re.sub(r"^[\s（(）)、，,；;：:\d.]+", "", label)
    text = re.sub(r"[\s为是:：]+$", "", text)
    lead = set(vocab("figures")["label_lead_words"])
    words = list(_tokenizer().cut(text, HMM=False))
    while words and (words[0] in lead or not re.search(r"[\u4e00-\u9fffA-Za-z]", words[0])):
        words.pop(0)
    return "".join(words) or text
