"""The site every chaos run uses."""
SITE = "shop"
SHOP_KEY = "shop-api-key-0123456789"
