"""What every layer may use: settings, the one clock, translations, logging."""
