"""How quote verification changes when it reads the cited page independently.

For every question of the test sets, the default composer drafts its statements from the
passages it would quote; each quote is then checked two ways: against our own page text (the
layout analysis that produced the chunk: the old check, which can never catch a layout mistake)
and against the page as PDFium reads it from the original PDF (the check in use). Prints how many
quotes pass each way and lists those whose status differs.

    python -m eval.verify_quotes --data-dir .data --testset eval/testsets/mutuals-guide.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from assistant.citations import quote_on_page, words_in_order
    from assistant.config import Settings, configure_offline
    from assistant.guide import Guide
    from eval.runner import history_for
    from eval.testset import load_testsets

    configure_offline()
    parser = argparse.ArgumentParser(prog="python -m eval.verify_quotes")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--testset", type=Path, action="append", required=True)
    parser.add_argument("--json", type=Path, help="write the differing quotes here")
    args = parser.parse_args(argv)

    guide = Guide(Settings(data_dir=args.data_dir))
    items = load_testsets(args.testset)
    by_id = {i.id: i for i in items}
    library = guide.library
    checked = own_ok = independent_ok = 0
    differing: list[dict[str, object]] = []
    for item in items:
        prepared = guide.steps.prepare(
            {"question": item.question, "history": history_for(item, by_id)}
        )
        draft = guide.extractive.generate(
            prepared.query.text, prepared.usable, context=prepared.query.context
        )
        for statement in draft.statements:
            c = statement.chunk
            page = library.page(c.doc_version, c.page)
            own = page is not None and quote_on_page(statement.quote, page.full_text)
            reference = library.reference_text(c.doc_version, c.page)
            independent = reference is not None and words_in_order(statement.quote, reference)
            checked += 1
            own_ok += own
            independent_ok += independent
            if own != independent:
                differing.append(
                    {
                        "question": item.id,
                        "source_file": c.source_file,
                        "page": c.page,
                        "own_text": own,
                        "independent": independent,
                        "quote": statement.quote,
                    }
                )
    print(
        f"{checked} drafted quotes: {own_ok} verify against our own page text, "
        f"{independent_ok} against the page as PDFium reads it; {len(differing)} differ"
    )
    for d in differing:
        print(
            f"  {d['question']} {d['source_file']} p.{d['page']} own={d['own_text']} "
            f"independent={d['independent']}: {str(d['quote'])[:150]}"
        )
    if args.json:
        args.json.write_text(json.dumps(differing, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
