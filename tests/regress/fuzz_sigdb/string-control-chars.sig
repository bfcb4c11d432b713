[rule]
id = x
suite = "s"
component = "c"
protos = tcp
ports = 80
client = "agent[2J"
server = notification-server
