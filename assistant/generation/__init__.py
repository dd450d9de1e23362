"""Answer backends. Each turns (question, ranked hits) into statements tied to passages;
numbering, quote verification and rendering are shared and live in `assistant.chain`."""

from assistant.generation.base import AnswerGenerator, Draft, Statement

__all__ = ["AnswerGenerator", "Draft", "Statement"]
