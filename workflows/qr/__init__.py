"""QR codes ("码上办") for each service and each township service station."""
