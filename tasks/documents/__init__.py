"""Documents an office files: the 通报 as a 公文 (GB/T 9704-2012 .docx and its PDF) and the 督办单."""
