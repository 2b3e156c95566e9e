"""What people read: views (messages as data), rendering of rows and cards, the notices the
sender delivers, the digest's text and chart."""
