"""Reading and writing the files schools keep: staff lists now, plans (DOCX/XLSX) later."""
