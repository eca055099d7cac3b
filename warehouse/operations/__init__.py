"""Operations: one writer at a time, cleaning up after a killed writer, alerts."""
