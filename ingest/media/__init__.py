"""Media processing core: pure functions over local file paths.

Nothing here touches storage, the database or the network. Jobs call these
functions on local copies obtained through `evidence.service` and register what
they return as derivative or child items. All functions are keyword-only; all
failures are `ingest.errors.IngestError` subclasses.

    detect.detect(path=, original_name=)            → Detection (media_type, kind, mismatch)
    probe.probe(path=, kind=, assume_utc_offset=)    → dict (probe_av / probe_image / probe_pdf)
    proxy.video_proxy / audio_proxy / poster_frame / video_thumbnails / image_proxy /
        image_thumbnail
                                                    → Derivation (tool, version, parameters)
    ocr.ocr_image / ocr.ocr_pdf                      → OcrResult (pages with words and boxes)
    pdftext.extract_text_layer(path=, dpi=)          → list[Page] (no OCR)
    office.extract_text(path=, media_type=, limits=) → OfficeText (DOCX/XLSX/ODT/ODS/RTF text
                                                      per page or sheet, guarded)
    lookalike.find_iins / normalise_plate / to_digits / to_latin
    transcribe.load_model(model=, directory=)        → LoadedModel
    transcribe.transcribe(audio=, model=, language=) → {"language", "segments", ...}
    transcript_export.to_txt / to_srt / to_vtt / write_docx / write_pdf
    archive.extract_archive(path=, target=, limits=) → ExtractResult (extracted, rejected)
    chats.parse_chat_export(folder=, utc_offset=)    → list[Chat]
    chats.parse_telegram / whatsapp.parse_whatsapp
    credentials.read_content_credentials(path=, trust_anchors_pem=) → dict or None (C2PA)
"""
